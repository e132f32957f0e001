#pragma once
// One batch-sync run as the CronJob sees it: the run under its deadline on a thread of its own,
// the report after it, and the exit codes. run_job() is called once per process.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "batch_sync/kit.hpp"
#include "batch_sync/reconcile.hpp"
#include "batch_sync/report.hpp"
#include "batch_sync/settings.hpp"

namespace batch_sync {

/// Exit codes of the binary (the CronJob's podFailurePolicy fails the Job at once on 2).
inline constexpr int kExitSuccess = 0;
inline constexpr int kExitRunFailed = 1;
inline constexpr int kExitBadConfiguration = 2;

/// How a run ended, before the report.
struct RunResult {
  bool success = false;
  std::string error;  ///< empty on success
  bool cut_by_deadline = false;
  bool worker_abandoned = false;  ///< the run's thread was still busy after the deadline
};

/// The run's work, given the cancellation that the deadline triggers. Returns "" or the error.
using RunBody = std::function<std::string(Cancellation&)>;

/// Runs `body` on its own thread and waits for it until `deadline` (from now). If the deadline
/// passes first, the run is cancelled and given `grace` to stop; a run that does not stop (a call
/// blocked in the kernel, say) is abandoned on its detached thread and the result says so. The
/// body must own, or share ownership of, everything it touches. `stage` names what the run was
/// doing, for the error text.
RunResult run_with_deadline(const RunBody& body, std::chrono::milliseconds deadline,
                            std::chrono::milliseconds grace,
                            const std::function<std::string()>& stage);

/// The exit code for a run and its report: 0 only when both succeeded.
int exit_code(const RunResult& run, const PushOutcome& push);

/// Everything a run does in production: draw the fault, reconcile under the deadline, push the
/// report, log the outcome. Returns the exit code; sets `must_exit_now` when a thread was
/// abandoned, in which case the caller must end the process with std::_Exit (not return from
/// main, whose static destructors the abandoned thread could still be using).
int run_job(const Settings& settings, bool& must_exit_now);

}  // namespace batch_sync
