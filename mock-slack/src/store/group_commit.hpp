#pragma once
// Group commit: one writer thread takes what request threads queued and commits it together, one
// transaction for up to max_jobs_per_commit jobs; a job that fails is replayed alone so that it
// fails alone. Counts the mockslack_alert_occurrences_total, mockslack_db_write_duration_seconds
// and mockslack_db_size_bytes metrics. Thread-safe. Internal to mock-slack's store.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "mock_slack/store.hpp"
#include "writer.hpp"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
class Registry;
}  // namespace prometheus

namespace mock_slack::writer {

class GroupCommit {
 public:
  /// What one request asks of the writer; it runs on the writer thread inside a transaction.
  using Apply = std::function<void(Writer&, JobCounts&)>;

  /// Opens the writer's connection (migrating the database), then starts the writer thread.
  GroupCommit(const StoreOptions& options, prometheus::Registry* registry);
  ~GroupCommit();  ///< commits what is queued, then stops the thread
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  /// Queues `apply` for the writer thread and waits until its transaction committed. Rethrows
  /// what the job threw; a transient database error becomes StoreUnavailable.
  void write(Apply apply);
  Store::WriteQueue write_queue() const;

 private:
  struct Job {
    Apply apply;
    std::promise<void> done;
    JobCounts counts;
  };
  void run();
  void commit(std::vector<Job*>& batch);

  StoreOptions options_;
  Writer writer_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;
  std::uint64_t taken_ = 0;
  std::uint64_t occurrences_written_ = 0;
  bool stopping_ = false;
  std::thread thread_;
  prometheus::Counter* new_ = nullptr;
  prometheus::Counter* updated_ = nullptr;
  prometheus::Counter* duplicate_ = nullptr;
  prometheus::Histogram* write_duration_ = nullptr;
  prometheus::Gauge* size_ = nullptr;
  std::chrono::steady_clock::time_point size_read_{};  ///< when size_ was last set
};

}  // namespace mock_slack::writer
