#include "auto_healer/settings.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "firedrill/cli.hpp"
#include "firedrill/version.hpp"

namespace auto_healer {

namespace {

std::string env(const char* name) { return std::string("AUTOHEALER_") + name; }

bool parse_bool(std::string_view v, bool& out) {
  if (v == "1" || v == "true" || v == "yes") {
    out = true;
  } else if (v == "0" || v == "false" || v == "no" || v.empty()) {
    out = false;
  } else {
    return false;
  }
  return true;
}

}  // namespace

void add_options(CLI::App& app, Settings& s) {
  app.require_subcommand(1, 1);
  auto* serve = app.add_subcommand("serve",
                                   "Receive Alertmanager's webhooks on POST /webhook and act on "
                                   "firing alerts with a remediation label");
  auto* scan = app.add_subcommand("scan",
                                  "One pass, as a CronJob runs it: restart the workloads whose "
                                  "pods restarted --restart-threshold times within --window");
  serve->fallthrough();
  scan->fallthrough();
  serve->callback([&s] { s.mode = Mode::serve; });
  scan->callback([&s] { s.mode = Mode::scan; });
  add_common_options(app, s.common, "AUTOHEALER");

  app.add_option("--backend", s.backend, "kubernetes (in cluster) or local (the stack of make up)")
      ->envname(env("BACKEND"))
      ->capture_default_str()
      ->check(CLI::IsMember({"kubernetes", "local"}));
  app.add_option("--restart-threshold", s.policy.restart_threshold,
                 "scan: restarts within --window that call for a restart (also RESTART_THRESHOLD)")
      ->envname(env("RESTART_THRESHOLD"))
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  add_duration_option(app, "--window", s.policy.window, env("WINDOW"),
                      "Window of the restart threshold, the cap and the attempts");
  add_duration_option(app, "--cooldown", s.policy.cooldown, env("COOLDOWN"),
                      "After an action on a target, no other on it for this long");
  app.add_option("--max-actions", s.policy.max_actions_per_window,
                 "Actions within --window, over every target, after which the auto-healer waits")
      ->envname(env("MAX_ACTIONS"))
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--max-attempts", s.policy.max_attempts,
                 "Restarts of one target within --window that did not resolve its alert, after "
                 "which the auto-healer gives up on it and pages a human")
      ->envname(env("MAX_ATTEMPTS"))
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_flag("--dry-run", s.policy.dry_run,
               "Decide and audit, but change nothing (Kubernetes: a server-side dry run; also "
               "DRY_RUN)")
      ->envname(env("DRY_RUN"));
  app.add_option("--namespaces", s.namespaces,
                 "Namespaces the auto-healer may act in (comma-separated)")
      ->envname(env("NAMESPACES"))
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--selector", s.selector, "Label a workload must carry, as name=value")
      ->envname(env("SELECTOR"))
      ->capture_default_str();
  app.add_option("--default-namespace", s.default_namespace,
                 "serve: namespace of an alert without a namespace label")
      ->envname(env("DEFAULT_NAMESPACE"))
      ->capture_default_str();
  app.add_option(
         "--kube-api-url", s.kube.api_url,
         "Kubernetes API (default: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT)")
      ->envname(env("KUBE_API_URL"));
  app.add_option("--kube-token-file", s.kube.token_file,
                 "Service-account token, read on every call")
      ->envname(env("KUBE_TOKEN_FILE"))
      ->capture_default_str();
  app.add_option("--kube-ca-file", s.kube.ca_file, "CA of the Kubernetes API")
      ->envname(env("KUBE_CA_FILE"))
      ->capture_default_str();
  app.add_option("--local-restart-command", s.local.restart_command,
                 "local: command that restarts a component, {target} replaced by its name")
      ->envname(env("LOCAL_RESTART_COMMAND"))
      ->delimiter(' ');
  app.add_option("--local-components", s.local.components,
                 "local: components that may be restarted")
      ->envname(env("LOCAL_COMPONENTS"))
      ->delimiter(',');
  app.add_option("--alertmanager-url", s.alertmanager_url,
                 "serve: Alertmanager whose silences hold the auto-healer back")
      ->envname(env("ALERTMANAGER_URL"));
  app.add_option("--mock-slack-url", s.mock_slack_url,
                 "mock-slack, told of every decision (incident events) and paged on a hand-over")
      ->envname(env("MOCK_SLACK_URL"));
  auto* token = app.add_option("--mock-slack-token", s.mock_slack_token,
                               "Bearer token of mock-slack (prefer the file)")
                    ->envname(env("MOCK_SLACK_TOKEN"));
  app.add_option("--mock-slack-token-file", s.mock_slack_token_file,
                 "File holding mock-slack's token")
      ->envname(env("MOCK_SLACK_TOKEN_FILE"))
      ->excludes(token);
  auto* webhook = app.add_option("--webhook-token", s.webhook_token,
                                 "serve: bearer token Alertmanager must send (prefer the file)")
                      ->envname(env("WEBHOOK_TOKEN"));
  app.add_option("--webhook-token-file", s.webhook_token_file,
                 "serve: file holding the webhook token")
      ->envname(env("WEBHOOK_TOKEN_FILE"))
      ->excludes(webhook);
  app.add_option("--pushgateway-url", s.pushgateway_url, "scan: Pushgateway the run is reported to")
      ->envname(env("PUSHGATEWAY_URL"));
  add_duration_option(
      app, "--request-timeout-outbound", s.request_timeout, env("REQUEST_TIMEOUT_OUTBOUND"),
      "Timeout of one call to Kubernetes, Alertmanager, mock-slack or the Pushgateway");
  app.add_option("--instance", s.instance,
                 "This replica's name in Events (default: POD_NAME, else the host name)")
      ->envname("POD_NAME");
  app.set_version_flag(
      "--version",
      app.get_name() + " " + std::string(version()) + " (revision " + std::string(revision()) + ")",
      "Print the version and revision, then exit");
}

std::string finish_settings(const CLI::App& app, Settings& s,
                            const std::function<const char*(const char*)>& getenv) {
  if (app.get_option("--restart-threshold")->count() == 0) {
    if (const char* legacy = getenv("RESTART_THRESHOLD"); legacy != nullptr && *legacy != '\0') {
      char* end = nullptr;
      const long v = std::strtol(legacy, &end, 10);
      if (*end != '\0' || v < 1) return "RESTART_THRESHOLD: expected a whole number of at least 1";
      s.policy.restart_threshold = static_cast<int>(v);
    }
  }
  if (app.get_option("--dry-run")->count() == 0) {
    if (const char* legacy = getenv("DRY_RUN"); legacy != nullptr) {
      if (!parse_bool(legacy, s.policy.dry_run)) return "DRY_RUN: expected true or false";
    }
  }
  const auto eq = s.selector.find('=');
  if (eq == std::string::npos || eq == 0 ||
      s.selector.find_first_of(",!=", eq + 1) != std::string::npos) {
    return "--selector: expected one name=value, e.g. firedrill.io/autoheal=true";
  }
  s.policy.selector_label = s.selector.substr(0, eq);
  s.policy.selector_value = s.selector.substr(eq + 1);
  s.local.selector_label = s.policy.selector_label;
  s.local.selector_value = s.policy.selector_value;
  s.local.namespace_name = s.default_namespace;
  s.policy.allowed_namespaces.clear();
  for (const auto& ns : s.namespaces) {
    if (!ns.empty()) s.policy.allowed_namespaces.insert(ns);
  }
  if (s.policy.allowed_namespaces.empty()) return "--namespaces: give at least one namespace";
  if (s.policy.cooldown.count() <= 0) return "--cooldown: must be longer than 0s";
  if (s.policy.window.count() <= 0) return "--window: must be longer than 0s";
  std::string error;
  auto parse = [&error](const std::string& text, const char* flag, std::optional<Peer>& out) {
    if (text.empty()) return true;
    out = parse_peer(text, error);
    if (!out) error = std::string(flag) + ": " + error;
    return out.has_value();
  };
  if (!parse(s.alertmanager_url, "--alertmanager-url", s.alertmanager) ||
      !parse(s.mock_slack_url, "--mock-slack-url", s.mock_slack) ||
      !parse(s.pushgateway_url, "--pushgateway-url", s.pushgateway)) {
    return error;
  }
  if (s.pushgateway && !s.pushgateway->base_path.empty()) {
    return "--pushgateway-url: the Pushgateway client cannot use a path prefix";
  }
  if (!s.mock_slack_token_file.empty()) {
    s.mock_slack_token = read_secret_file(s.mock_slack_token_file, error);
    if (!error.empty()) return "--mock-slack-token-file: " + error;
  }
  if (!s.webhook_token_file.empty()) {
    s.webhook_token = read_secret_file(s.webhook_token_file, error);
    if (!error.empty()) return "--webhook-token-file: " + error;
  }
  if (s.backend == "kubernetes" && s.kube.api_url.empty()) {
    auto url = in_cluster_api_url(getenv, error);
    if (!url) return "--kube-api-url: " + error;
    s.kube.api_url = *url;
  }
  if (s.backend == "local" && s.mode == Mode::scan) {
    return "--backend local: only serve mode; the local stack's supervisor counts restarts itself";
  }
  if (s.backend == "local" && s.local.restart_command.empty()) {
    return "--local-restart-command: required with --backend local";
  }
  s.kube.timeout = s.request_timeout;
  if (s.instance.empty()) {
    char host[256] = {};
    s.instance = ::gethostname(host, sizeof host - 1) == 0 ? host : "auto-healer";
  }
  return {};
}

std::variant<Settings, int> parse_settings(int argc, char** argv) {
  Settings settings;
  settings.common.listen = "127.0.0.1:8095";
  CLI::App app(
      "auto-healer: restarts what is sick, within limits (cooldown, cap, attempts, silences, "
      "allow-list), and writes what it did into the incident. Exit codes: 0 success, 1 a scan "
      "failed, 2 bad configuration.",
      "auto-healer");
  add_options(app, settings);
  if (auto code = parse_command_line(app, argc, argv)) return *code;
  if (std::string error =
          finish_settings(app, settings, [](const char* n) { return std::getenv(n); });
      !error.empty()) {
    std::cerr << app.get_name() << ": " << error << " (see --help)\n";
    return 2;
  }
  return settings;
}

}  // namespace auto_healer
