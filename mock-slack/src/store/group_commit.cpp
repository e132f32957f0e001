#include "group_commit.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <pthread.h>

#include <algorithm>

#include "firedrill/log.hpp"
#include "sqlite.hpp"

namespace mock_slack::writer {

using sqlite::transient;

GroupCommit::GroupCommit(const StoreOptions& options, prometheus::Registry* registry)
    : options_(options), writer_(options) {
  if (registry != nullptr) {
    auto& occurrences = prometheus::BuildCounter()
                            .Name("mockslack_alert_occurrences_total")
                            .Help(
                                "Alerts received, by what they did to the history: a new "
                                "occurrence, an update of one, or an unchanged duplicate")
                            .Register(*registry);
    new_ = &occurrences.Add({{"result", "new"}});
    updated_ = &occurrences.Add({{"result", "updated"}});
    duplicate_ = &occurrences.Add({{"result", "duplicate"}});
    write_duration_ =
        &prometheus::BuildHistogram()
             .Name("mockslack_db_write_duration_seconds")
             .Help("Time to write and commit one transaction (a group of requests)")
             .Register(*registry)
             .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                              0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
    size_ = &prometheus::BuildGauge()
                 .Name("mockslack_db_size_bytes")
                 .Help(
                     "Size of the database (SQLite: pages in use times page size; PostgreSQL: "
                     "pg_database_size), read after a commit at most once a second")
                 .Register(*registry)
                 .Add({});
    size_->Set(static_cast<double>(writer_.size_bytes()));
    size_read_ = std::chrono::steady_clock::now();
  }
  thread_ = std::thread([this] {
    // Named so that `top -H` and the benchmark tell the writer from the request threads.
    pthread_setname_np(pthread_self(), "store-writer");
    run();
  });
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void GroupCommit::write(Apply apply) {
  Job job;
  job.apply = std::move(apply);
  auto done = job.done.get_future();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw StoreUnavailable("the store is shutting down");
    queue_.push_back(&job);
  }
  cv_.notify_one();
  done.get();
}

Store::WriteQueue GroupCommit::write_queue() const {
  std::lock_guard lock(mutex_);
  return {queue_.size(), taken_, occurrences_written_};
}

void GroupCommit::run() {
  std::vector<Job*> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      const std::size_t n = std::min(queue_.size(), options_.max_jobs_per_commit);
      batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      taken_ += n;
    }
    commit(batch);
  }
}

/// One transaction for the batch. A job that throws rolls the batch back, and then each of its
/// jobs runs again in a transaction of its own, so a failing job leaves nothing behind and does
/// not fail the others. (Savepoints per job would isolate them too, but they copy every page a
/// job touches into the statement journal: a third of the writer's time.) Jobs are replayable:
/// they read their inputs and assign their results.
void GroupCommit::commit(std::vector<Job*>& batch) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::exception_ptr> errors(batch.size());
  auto run_all = [&](std::size_t from, std::size_t to) {
    writer_.begin();
    try {
      for (std::size_t i = from; i < to; ++i) {
        batch[i]->counts = {};
        batch[i]->apply(writer_, batch[i]->counts);
      }
      writer_.db().commit();
    } catch (...) {
      writer_.db().rollback();
      throw;
    }
  };
  try {
    run_all(0, batch.size());
  } catch (...) {
    if (batch.size() == 1) {
      errors[0] = std::current_exception();
    } else {
      for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
          run_all(i, i + 1);
        } catch (...) {
          errors[i] = std::current_exception();
        }
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (write_duration_ != nullptr) write_duration_->Observe(seconds);
  // PostgreSQL's pg_database_size() reads the size of every file of the database (1 ms a commit,
  // 2% of the writer's time under a steady load): once a second is enough for a gauge.
  const auto now = std::chrono::steady_clock::now();
  if (size_ != nullptr && now - size_read_ >= std::chrono::seconds(1) &&
      std::ranges::any_of(errors, [](auto& e) { return e == nullptr; })) {
    size_read_ = now;
    try {
      size_->Set(static_cast<double>(writer_.size_bytes()));
    } catch (const std::exception&) {
      // the gauge keeps its last value
    }
  }
  std::uint64_t written = 0;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (errors[i] == nullptr) {
      written +=
          static_cast<std::uint64_t>(batch[i]->counts.new_occurrences + batch[i]->counts.updated);
    }
  }
  if (written > 0) {  // before the writers hear they are done
    std::lock_guard lock(mutex_);
    occurrences_written_ += written;
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::exception_ptr& e = errors[i];
    if (e == nullptr) {
      if (new_ != nullptr) {
        new_->Increment(static_cast<double>(batch[i]->counts.new_occurrences));
        updated_->Increment(static_cast<double>(batch[i]->counts.updated));
        duplicate_->Increment(static_cast<double>(batch[i]->counts.duplicate));
      }
      batch[i]->done.set_value();
      continue;
    }
    // A transient error becomes StoreUnavailable (503: Alertmanager retries); another is the
    // job's own, passed on as it is.
    auto fail = [&](bool is_transient, const char* what) {
      if (is_transient) {
        firedrill::log::warn("database write failed; the caller will retry", {{"error", what}});
        batch[i]->done.set_exception(std::make_exception_ptr(
            StoreUnavailable(std::string("database unavailable: ") + what)));
      } else {
        firedrill::log::error("database write failed", {{"error", what}});
        batch[i]->done.set_exception(e);
      }
    };
    try {
      std::rethrow_exception(e);
    } catch (const db::Error& de) {
      fail(de.transient(), de.what());
    } catch (const SQLite::Exception& se) {
      fail(transient(se), se.what());
    } catch (...) {
      batch[i]->done.set_exception(e);
    }
  }
}

}  // namespace mock_slack::writer
