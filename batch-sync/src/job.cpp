#include "batch_sync/job.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "firedrill/duration.hpp"
#include "firedrill/log.hpp"
#include "firedrill/version.hpp"

namespace batch_sync {

namespace {

/// State shared between the waiting thread and the run's thread, which may outlive the wait.
struct RunState {
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  std::string error;
  Cancellation cancellation;
};

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

RunResult run_with_deadline(const RunBody& body, std::chrono::milliseconds deadline,
                            std::chrono::milliseconds grace,
                            const std::function<std::string()>& stage) {
  auto state = std::make_shared<RunState>();
  std::thread worker([state, body] {
    std::string error;
    try {
      error = body(state->cancellation);
    } catch (const std::exception& e) {
      error = std::string("unexpected error: ") + e.what();
    } catch (...) {
      error = "unexpected error";
    }
    {
      std::lock_guard lock(state->mutex);
      state->error = std::move(error);
      state->done = true;
    }
    state->cv.notify_all();
  });

  RunResult result;
  std::unique_lock lock(state->mutex);
  if (!state->cv.wait_for(lock, deadline, [&] { return state->done; })) {
    // Read the stage before cancelling: afterwards the run may already be unwinding.
    lock.unlock();
    const std::string doing = stage ? stage() : std::string();
    state->cancellation.cancel();
    result.cut_by_deadline = true;
    result.error = "deadline exceeded (" + format_duration(deadline) + ")" +
                   (doing.empty() ? std::string() : " while " + doing);
    lock.lock();
    if (!state->cv.wait_for(lock, grace, [&] { return state->done; })) {
      lock.unlock();
      worker.detach();
      result.worker_abandoned = true;
      return result;
    }
    lock.unlock();
    worker.join();
    return result;
  }
  result.error = state->error;
  result.success = result.error.empty();
  lock.unlock();
  worker.join();
  return result;
}

int exit_code(const RunResult& run, const PushOutcome& push) {
  return run.success && push.ok ? kExitSuccess : kExitRunFailed;
}

int run_job(const Settings& settings, bool& must_exit_now) {
  must_exit_now = false;
  const std::uint64_t seed = settings.seed ? *settings.seed : std::random_device{}();
  const auto started = std::chrono::steady_clock::now();

  // The run's thread shares ownership of everything it uses, since it may be abandoned.
  struct Shared {
    Settings settings;
    std::mt19937_64 rng;
    RunCounters counters;
    RunStage stage;
    FaultPlan fault;
  };
  auto shared = std::make_shared<Shared>();
  shared->settings = settings;
  shared->rng.seed(seed);
  shared->fault = decide_fault(settings.fail_rate, settings.fail_mode, shared->rng);

  log::info("run started", {{"version", version()},
                            {"alertmanager", settings.alertmanager.to_string()},
                            {"mock_slack", settings.mock_slack.to_string()},
                            {"pushgateway", settings.pushgateway.to_string()},
                            {"batch_size", settings.batch_size},
                            {"resolve_grace", format_duration(settings.resolve_grace)},
                            {"silences", settings.silences},
                            {"deadline", format_duration(settings.deadline)},
                            {"fail_rate", settings.fail_rate},
                            {"fail_mode", to_string(settings.fail_mode)},
                            {"seed", seed},
                            {"fault_injected", shared->fault.inject}});

  const auto deadline_at = started + settings.deadline;
  RunBody body = [shared, deadline_at](Cancellation& cancellation) {
    SteadyClock clock(cancellation);
    Reconciler reconciler(shared->settings, shared->fault, clock, cancellation, shared->rng,
                          shared->counters, shared->stage);
    return reconciler.run(Deadline(deadline_at));
  };
  // A cancelled run stops at its next sleep or check; one blocked in a call gets this long.
  constexpr std::chrono::milliseconds kGrace{1000};
  RunResult run =
      run_with_deadline(body, settings.deadline, kGrace, [shared] { return shared->stage.get(); });
  if (run.cut_by_deadline) shared->counters.errors.fetch_add(1);

  const auto finished_wall = std::chrono::system_clock::now();
  RunReport report;
  report.success = run.success;
  report.finished_unix_seconds = unix_seconds(finished_wall);
  report.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report.records_processed = shared->counters.records_processed.load();
  report.records_new = shared->counters.records_new.load();
  report.records_resolved = shared->counters.records_resolved.load();
  report.errors = shared->counters.errors.load();

  nlohmann::json fields{{"success", run.success},
                        {"duration_seconds", report.duration_seconds},
                        {"alerts_read", shared->counters.alerts_read.load()},
                        {"silences_read", shared->counters.silences_read.load()},
                        {"records_processed", report.records_processed},
                        {"records_new", report.records_new},
                        {"records_updated", shared->counters.records_updated.load()},
                        {"records_pruned", shared->counters.records_pruned.load()},
                        {"records_resolved", report.records_resolved},
                        {"sweep_skipped", shared->counters.sweep_skipped.load()},
                        {"errors", report.errors},
                        {"seed", seed}};
  if (run.success) {
    log::info("run succeeded", fields);
  } else {
    fields["error"] = run.error;
    log::error("run failed", fields);
  }

  PushOutcome push =
      push_report(report, settings.pushgateway, settings.push_timeout, settings.backoff, seed + 1);
  if (push.ok) {
    log::info("report pushed", {{"pushgateway", settings.pushgateway.to_string()},
                                {"job", kPushJob},
                                {"success", report.success}});
  } else {
    log::error("report not pushed", {{"pushgateway", settings.pushgateway.to_string()},
                                     {"push_timeout", format_duration(settings.push_timeout)},
                                     {"error", push.error}});
  }
  must_exit_now = run.worker_abandoned || push.abandoned;
  return exit_code(run, push);
}

}  // namespace batch_sync
