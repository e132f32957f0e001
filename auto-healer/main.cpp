// auto-healer: `serve` (an Alertmanager webhook receiver) or `scan` (one pass of a CronJob).
// Logic lives in auto_healer_lib; see auto_healer/receiver.hpp and auto_healer/scan.hpp.
#include <chrono>
#include <iostream>
#include <memory>
#include <variant>

#include "auto_healer/audit.hpp"
#include "auto_healer/kube_backend.hpp"
#include "auto_healer/local_backend.hpp"
#include "auto_healer/notifier.hpp"
#include "auto_healer/push_report.hpp"
#include "auto_healer/receiver.hpp"
#include "auto_healer/scan.hpp"
#include "auto_healer/settings.hpp"
#include "firedrill/log.hpp"
#include "firedrill/service.hpp"

namespace {

using namespace auto_healer;

firedrill::alerting::TimePoint now() { return firedrill::alerting::system_now(); }

int serve(const Settings& s) {
  firedrill::Service service("auto-healer", s.common);
  Audit audit(service.metrics().registry());
  Healer healer(s.policy, now);
  std::unique_ptr<Backend> backend;
  if (s.backend == "local") {
    backend = std::make_unique<LocalBackend>(s.local);
  } else {
    backend = std::make_unique<KubeBackend>(s.kube, now, s.instance);
  }
  std::unique_ptr<MockSlackNotifier> notifier;
  if (s.mock_slack) {
    notifier = std::make_unique<MockSlackNotifier>(*s.mock_slack, s.mock_slack_token,
                                                   s.request_timeout, now);
  }
  SilenceSource silences;
  if (s.alertmanager) silences = alertmanager_silences(*s.alertmanager, s.request_timeout);
  Receiver receiver(healer, *backend, audit, notifier.get(), silences,
                    ReceiverOptions{s.default_namespace, s.webhook_token}, now);
  receiver.register_routes(service.api());
  firedrill::log::info("serving",
                       {{"backend", backend->name()},
                        {"dry_run", s.policy.dry_run},
                        {"max_attempts", s.policy.max_attempts},
                        {"cooldown", s.policy.cooldown.count()},
                        {"window", s.policy.window.count()},
                        {"alertmanager", s.alertmanager ? s.alertmanager->to_string() : ""},
                        {"mock_slack", s.mock_slack ? s.mock_slack->to_string() : ""},
                        {"webhook_auth", !s.webhook_token.empty()}});
  return service.run();
}

int scan(const Settings& s) {
  const auto started = std::chrono::steady_clock::now();
  auto registry = std::make_shared<prometheus::Registry>();
  Audit audit(*registry);
  KubeBackend backend(s.kube, now, s.instance);
  ScanReport report = run_scan(backend, s.policy, s.namespaces, audit, now);
  const double duration =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double finished = std::chrono::duration<double>(now().time_since_epoch()).count();
  firedrill::log::info("scan finished", {{"success", report.success},
                                         {"workloads", report.workloads},
                                         {"restarted", report.restarted},
                                         {"errors", report.errors},
                                         {"duration_seconds", duration}});
  if (s.pushgateway) {
    if (auto problem = push_scan_report(scan_registry(report, finished, duration), *s.pushgateway,
                                        s.request_timeout);
        !problem.empty()) {
      firedrill::log::error("report not pushed", {{"error", problem}});
      return 1;
    }
  }
  return report.success ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  firedrill::prepare_process();
  auto parsed = parse_settings(argc, argv);
  if (const int* code = std::get_if<int>(&parsed)) return *code;
  const auto& settings = std::get<Settings>(parsed);
  firedrill::log::Level level{};
  firedrill::log::parse_level(settings.common.log_level, level);
  firedrill::log::init("auto-healer", level, /*async=*/settings.mode == Mode::serve);
  try {
    const int code = settings.mode == Mode::serve ? serve(settings) : scan(settings);
    firedrill::log::shutdown();
    return code;
  } catch (const std::exception& e) {
    firedrill::log::shutdown();
    std::cerr << "auto-healer: " << e.what() << "\n";
    return 2;
  }
}
