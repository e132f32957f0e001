// batch-sync: one reconciliation run per invocation, as a Kubernetes CronJob runs it.
#include <csignal>
#include <cstdlib>
#include <variant>

#include "batch_sync/job.hpp"
#include "batch_sync/settings.hpp"
#include "firedrill/cli.hpp"
#include "firedrill/log.hpp"

int main(int argc, char** argv) {
  using namespace firedrill;
  // A run-once job: SIGTERM keeps its default (end now); only a closed peer socket is ignored.
  std::signal(SIGPIPE, SIG_IGN);
  auto parsed = batch_sync::parse_settings(argc, argv);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  const auto& settings = std::get<batch_sync::Settings>(parsed);

  log::Level level = log::Level::info;
  log::parse_level(settings.log_level, level);
  log::init("batch-sync", level);

  bool must_exit_now = false;
  const int code = batch_sync::run_job(settings, must_exit_now);
  log::shutdown();
  // A thread still blocked in a call must not see main()'s static destructors run under it.
  if (must_exit_now) std::_Exit(code);
  return code;
}
