#pragma once
// The auto-healer's command line: `auto-healer serve` or `auto-healer scan`, each setting with a
// flag and an AUTOHEALER_ environment variable (RESTART_THRESHOLD and DRY_RUN, the seed
// playground's names, are read too).

#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "auto_healer/decision.hpp"
#include "auto_healer/kit.hpp"
#include "auto_healer/kube_client.hpp"
#include "auto_healer/local_backend.hpp"
#include "auto_healer/peer.hpp"
#include "firedrill/service.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace auto_healer {

enum class Mode { serve, scan };

struct Settings {
  Mode mode = Mode::serve;
  CommonSettings common;  ///< serve's listeners, and the log level of both modes
  Policy policy;
  std::vector<std::string> namespaces{"firedrill"};
  std::string selector = "firedrill.io/autoheal=true";
  std::string default_namespace = "firedrill";
  std::string backend = "kubernetes";
  KubeConfig kube;
  LocalConfig local;
  std::string alertmanager_url;  ///< serve: silences are read here; empty: none are checked
  std::string mock_slack_url;    ///< incident events and hand-over pages; empty: not sent
  std::string mock_slack_token;
  std::string mock_slack_token_file;
  std::string webhook_token;  ///< serve: what Alertmanager must send
  std::string webhook_token_file;
  std::string pushgateway_url;  ///< scan: where the run is reported; empty: not reported
  std::string instance;         ///< this replica's name in Events (POD_NAME, else the host name)
  std::chrono::milliseconds request_timeout{10000};

  std::optional<Peer> alertmanager, mock_slack, pushgateway;  ///< parsed by finish_settings()
};

/// Registers every setting on `app` and its `serve` and `scan` subcommands.
void add_options(CLI::App& app, Settings& settings);

/// What CLI11 cannot check: legacy variables, secret files, URLs, the selector, the in-cluster
/// address. "" when usable, else one line naming the setting.
std::string finish_settings(const CLI::App& app, Settings& settings,
                            const std::function<const char*(const char*)>& getenv);

/// The command line to settings, or the exit code (0 after --help/--version, 2 for a bad setting).
std::variant<Settings, int> parse_settings(int argc, char** argv);

}  // namespace auto_healer
