// mock-slack: the Alertmanager webhook receiver and Slack mock with a durable history.
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "firedrill/cli.hpp"
#include "firedrill/log.hpp"
#include "firedrill/service.hpp"
#include "mock_slack/pages.hpp"
#include "mock_slack/receiver.hpp"
#include "mock_slack/repair_command.hpp"
#include "mock_slack/search.hpp"
#include "mock_slack/settings.hpp"
#include "mock_slack/store.hpp"
#include "mock_slack/store_readiness.hpp"
#include "mock_slack/watchdog.hpp"

namespace {

/// Applies retention every `interval` on its own thread until destroyed.
class RetentionLoop {
 public:
  RetentionLoop(mock_slack::Store& store, std::chrono::milliseconds interval) {
    if (interval.count() == 0) return;
    thread_ = std::thread([this, &store, interval] {
      std::unique_lock lock(mutex_);
      while (!cv_.wait_for(lock, interval, [this] { return stop_; })) {
        lock.unlock();
        try {
          mock_slack::log_retention(store.apply_retention());
        } catch (const std::exception& e) {
          firedrill::log::warn("retention failed; will retry", {{"error", e.what()}});
        }
        lock.lock();
      }
    });
  }
  ~RetentionLoop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  RetentionLoop(const RetentionLoop&) = delete;
  RetentionLoop& operator=(const RetentionLoop&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  firedrill::prepare_process();
  mock_slack::Settings settings;
  CLI::App app{"mock-slack: Alertmanager webhook receiver and Slack mock with a durable history",
               "mock-slack"};
  firedrill::add_common_options(app, settings.common, "MOCKSLACK");
  mock_slack::add_options(app, settings);
  mock_slack::PagesSettings pages_settings;
  mock_slack::add_page_options(app, pages_settings);
  mock_slack::PostmortemCommand postmortem;
  CLI::App* postmortem_command = mock_slack::add_postmortem_command(app, postmortem);
  mock_slack::RepairCommand repair;
  CLI::App* repair_command = mock_slack::add_repair_command(app, repair);
  if (auto code = firedrill::parse_command_line(app, argc, argv)) return *code;

  firedrill::log::Level level{};
  firedrill::log::parse_level(settings.common.log_level, level);
  firedrill::log::init("mock-slack", level, true);

  if (postmortem_command->parsed()) {
    const int pm = mock_slack::run_postmortem_command(postmortem);
    firedrill::log::shutdown();
    return pm;
  }

  if (repair_command->parsed()) {
    const int rc = mock_slack::run_repair_command(repair, std::cout, std::cerr);
    firedrill::log::shutdown();
    return rc;
  }

  mock_slack::Resolved resolved;
  try {
    resolved = mock_slack::resolve(settings);
    resolved.receiver.pages = mock_slack::resolve(pages_settings);
  } catch (const std::invalid_argument& e) {
    std::cerr << "mock-slack: " << e.what() << "\n";
    firedrill::log::shutdown();
    return 2;
  }

  int code = 1;
  try {
    firedrill::Service service("mock-slack", settings.common);
    mock_slack::Store store(resolved.store, firedrill::alerting::system_now,
                            &service.metrics().registry());
    mock_slack::Watchdog watchdog(store, resolved.watchdog, firedrill::alerting::system_now,
                                  &service.metrics().registry());
    resolved.receiver.pages.banner = [&watchdog] { return watchdog.banner(); };
    // Every route of the API listener: the table in src/routes.cpp.
    mock_slack::Receiver receiver(service, store, resolved.receiver, &watchdog);
    RetentionLoop retention(store, resolved.retention_interval);
    // Occurrences are indexed for search in batches, off the notification's commit (SQLite's
    // FTS5 tables; PostgreSQL's GIN indexes are kept by the server).
    mock_slack::IndexPolicy index_policy;
    if (mock_slack::is_postgres(resolved.store.path)) index_policy.interval = {};
    mock_slack::SearchIndexer indexer(store, index_policy);
    mock_slack::StoreReadiness readiness(store, service.probes(), resolved.store_probe_interval,
                                         &service.metrics().registry());
    readiness.start();
    watchdog.start();
    firedrill::log::info("store open", {{"db", mock_slack::printable_location(resolved.store.path)},
                                        {"schema_version", store.schema_version()},
                                        {"auth", resolved.receiver.credentials.configured()},
                                        {"read_auth", resolved.receiver.read.configured()}});
    code = service.run();
  } catch (const std::exception& e) {
    firedrill::log::error("cannot run", {{"error", e.what()}});
    code = 1;
  }
  firedrill::log::shutdown();
  return code;
}
