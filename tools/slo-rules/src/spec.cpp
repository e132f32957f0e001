#include "slo_rules/spec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

namespace slo_rules {
namespace {

// Every lookup goes through a Field so that each error names the full path of the setting.
class Field {
 public:
  Field(const YAML::Node& node, std::string path) : node_(node), path_(std::move(path)) {}

  const std::string& path() const { return path_; }
  bool present() const { return node_.IsDefined() && !node_.IsNull(); }

  Field child(const std::string& key) const {
    if (!node_.IsMap()) fail("must be a mapping");
    return Field(node_[key], path_.empty() ? key : path_ + "." + key);
  }

  Field required(const std::string& key) const {
    Field field = child(key);
    if (!field.present()) field.fail("is required");
    return field;
  }

  bool is_map() const { return node_.IsMap(); }

  /// The entries of a mapping, in the file's order.
  std::vector<std::pair<std::string, Field>> entries() const {
    std::vector<std::pair<std::string, Field>> result;
    for (const auto& entry : node_) {
      const auto key = entry.first.as<std::string>();
      result.emplace_back(key, Field(entry.second, path_ + "." + key));
    }
    return result;
  }

  std::vector<Field> items() const {
    if (!node_.IsSequence()) fail("must be a list");
    std::vector<Field> result;
    for (std::size_t i = 0; i < node_.size(); ++i) {
      result.emplace_back(node_[i], path_ + "[" + std::to_string(i) + "]");
    }
    return result;
  }

  void reject_unknown_keys(std::initializer_list<std::string_view> known) const {
    if (!node_.IsMap()) fail("must be a mapping");
    for (const auto& entry : node_) {
      const auto key = entry.first.as<std::string>();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        throw SpecError((path_.empty() ? key : path_ + "." + key) + ": unknown setting");
      }
    }
  }

  std::string text() const {
    if (!node_.IsScalar()) fail("must be a string");
    auto value = node_.as<std::string>();
    if (value.empty()) fail("must not be empty");
    return value;
  }

  double number() const {
    if (!node_.IsScalar()) fail("must be a number");
    try {
      return node_.as<double>();
    } catch (const YAML::Exception&) {
      fail("must be a number, got \"" + node_.as<std::string>() + "\"");
    }
  }

  int integer() const {
    if (!node_.IsScalar()) fail("must be an integer");
    try {
      return node_.as<int>();
    } catch (const YAML::Exception&) {
      fail("must be an integer, got \"" + node_.as<std::string>() + "\"");
    }
  }

  Duration duration() const {
    const auto value = text();
    Duration parsed{0};
    try {
      parsed = parse_duration(value);
    } catch (const std::invalid_argument& e) {
      fail(e.what());
    }
    if (parsed.count() <= 0) fail("must be positive");
    return parsed;
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw SpecError(path_ + ": " + message);
  }

 private:
  YAML::Node node_;
  std::string path_;
};

std::string severity(const Field& field) {
  auto value = field.text();
  if (value != "page" && value != "ticket") {
    field.fail("must be \"page\" or \"ticket\", got \"" + value + "\"");
  }
  return value;
}

// Alert names become file names (runbooks/<name>.md) and URL path segments.
std::string alert_name(const Field& field) {
  auto value = field.text();
  const bool valid = std::isupper(static_cast<unsigned char>(value.front())) != 0 &&
                     std::all_of(value.begin(), value.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) != 0;
                     });
  if (!valid) field.fail("must be an UpperCamelCase alert name, got \"" + value + "\"");
  return value;
}

// Label values end up inside PromQL selectors and YAML; keep them to a safe alphabet.
std::string label_value(const Field& field) {
  auto value = field.text();
  if (!std::all_of(value.begin(), value.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
      })) {
    field.fail("may contain only letters, digits, '-' and '_', got \"" + value + "\"");
  }
  return value;
}

std::string selector(const Field& field) {
  auto value = field.text();
  // A selector, not an expression: the generator wraps it in rate()/increase()/absent().
  const auto brace = value.find('{');
  if (brace == 0 || value.back() != '}' || brace == std::string::npos ||
      value.find_first_of("()[] ") != std::string::npos) {
    field.fail("must be a series selector like metric{label=\"value\"}, got \"" + value + "\"");
  }
  return value;
}

AlertRef alert_ref(const Field& field, bool allow_for) {
  if (allow_for) {
    field.reject_unknown_keys({"name", "severity", "for"});
  } else {
    field.reject_unknown_keys({"name", "severity"});
  }
  AlertRef ref;
  ref.name = alert_name(field.required("name"));
  ref.severity = severity(field.required("severity"));
  if (allow_for) ref.for_duration = field.required("for").duration();
  return ref;
}

RatioSlo ratio_slo(const Field& field) {
  field.reject_unknown_keys({"slo", "objective", "description", "alert", "sli", "remediation"});
  RatioSlo slo;
  if (const Field remediation = field.child("remediation"); remediation.present()) {
    slo.remediation = remediation.text();
    if (slo.remediation != "restart") {
      remediation.fail("the auto-healer knows only \"restart\", got \"" + slo.remediation + "\"");
    }
  }
  slo.slo = label_value(field.required("slo"));
  const Field objective = field.required("objective");
  slo.objective = objective.number();
  if (!(slo.objective > 0 && slo.objective < 1)) {
    objective.fail("must be between 0 and 1 (exclusive), got " + objective.text());
  }
  slo.description = field.required("description").text();
  slo.alert = alert_name(field.required("alert"));
  const Field sli = field.required("sli");
  sli.reject_unknown_keys({"errors", "good", "total"});
  if (sli.child("errors").present() == sli.child("good").present()) {
    sli.fail("needs exactly one of \"errors\" and \"good\"");
  }
  if (sli.child("errors").present()) slo.sli.errors = selector(sli.child("errors"));
  if (sli.child("good").present()) slo.sli.good = selector(sli.child("good"));
  slo.sli.total = selector(sli.required("total"));
  return slo;
}

FreshnessSlo freshness_slo(const Field& field) {
  field.reject_unknown_keys({"slo", "description", "schedule_period", "drill_schedule_period",
                             "max_periods_without_success", "last_success_metric",
                             "last_run_success_metric", "stale_alert", "failed_alert"});
  FreshnessSlo slo;
  slo.slo = label_value(field.required("slo"));
  slo.description = field.required("description").text();
  slo.schedule_period = field.required("schedule_period").duration();
  if (field.child("drill_schedule_period").present()) {
    slo.drill_schedule_period = field.child("drill_schedule_period").duration();
  }
  const Field periods = field.required("max_periods_without_success");
  slo.max_periods_without_success = periods.integer();
  if (slo.max_periods_without_success < 1) periods.fail("must be at least 1");
  slo.last_success_metric = selector(field.required("last_success_metric"));
  slo.last_run_success_metric = selector(field.required("last_run_success_metric"));
  slo.stale_alert = alert_ref(field.required("stale_alert"), false);
  slo.failed_alert = alert_ref(field.required("failed_alert"), false);
  return slo;
}

ServiceSpec service(const Field& field) {
  field.reject_unknown_keys({"service", "sli_absent_alert", "slos", "freshness_slos"});
  ServiceSpec spec;
  spec.service = label_value(field.required("service"));
  if (field.child("sli_absent_alert").present()) {
    spec.sli_absent_alert = alert_ref(field.child("sli_absent_alert"), true);
  }
  if (field.child("slos").present()) {
    for (const Field& item : field.child("slos").items()) spec.slos.push_back(ratio_slo(item));
  }
  if (field.child("freshness_slos").present()) {
    for (const Field& item : field.child("freshness_slos").items()) {
      spec.freshness_slos.push_back(freshness_slo(item));
    }
  }
  if (spec.slos.empty() && spec.freshness_slos.empty()) {
    field.fail("needs at least one entry in \"slos\" or \"freshness_slos\"");
  }
  if (spec.sli_absent_alert && spec.slos.empty()) {
    field.child("sli_absent_alert").fail("needs request SLOs (\"slos\") to watch");
  }
  return spec;
}

std::string url(const Field& field) {
  auto value = field.text();
  if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0) {
    field.fail("must be an http:// or https:// URL, got \"" + value + "\"");
  }
  if (value.back() == '/') field.fail("must not end with '/'");
  return value;
}

std::string dashboard_url(const Field& field) {
  auto value = url(field);
  const auto at = value.rfind("/d/");
  if (at == std::string::npos || at + 3 >= value.size() ||
      value.find('/', at + 3) != std::string::npos) {
    field.fail("must end in /d/<dashboard uid>, got \"" + value + "\"");
  }
  return value;
}

bool is_loopback(const std::string& url) {
  const auto start = url.find("://") + 3;
  const auto host = url.substr(start, url.find_first_of(":/", start) - start);
  return host == "localhost" || host.rfind("127.", 0) == 0 || url.compare(start, 1, "[") == 0;
}

// Overlay URLs never point at loopback: in a pod, 127.0.0.1 is the pod itself.
std::string cluster_url(const Field& field, bool dashboard) {
  auto value = dashboard ? dashboard_url(field) : url(field);
  if (is_loopback(value)) field.fail("must not point at loopback outside the local stack");
  return value;
}

OverlayLinks overlay_links(const std::string& name, const Field& field) {
  for (const char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      field.fail("overlay name must be [a-z0-9-]+");
    }
  }
  field.reject_unknown_keys({"monitoring", "runbook_base_url", "dashboard_base_url",
                             "prometheus_url", "alertmanager_url"});
  OverlayLinks links;
  links.overlay = name;
  const Field monitoring = field.required("monitoring");
  links.monitoring = monitoring.text();
  if (links.monitoring != "standalone" && links.monitoring != "kube-prometheus-stack") {
    monitoring.fail("must be standalone or kube-prometheus-stack, got \"" + links.monitoring +
                    "\"");
  }
  links.runbook_base_url = cluster_url(field.required("runbook_base_url"), false);
  links.dashboard_base_url = cluster_url(field.required("dashboard_base_url"), true);
  links.prometheus_url = cluster_url(field.required("prometheus_url"), false);
  links.alertmanager_url = cluster_url(field.required("alertmanager_url"), false);
  return links;
}

}  // namespace

Spec parse_spec(const YAML::Node& node) {
  const Field root(node, "");
  if (!node.IsMap()) throw SpecError("spec: must be a YAML mapping");
  root.reject_unknown_keys({"version", "runbook_base_url", "dashboard_base_url", "overlays",
                            "period", "drill", "burn_rate_alerts", "min_requests", "services"});
  const Field version = root.required("version");
  if (version.integer() != 1) version.fail("unsupported version, expected 1");

  Spec spec;
  spec.runbook_base_url = url(root.required("runbook_base_url"));
  spec.dashboard_base_url = dashboard_url(root.required("dashboard_base_url"));
  const Field overlays = root.child("overlays");
  if (overlays.present()) {
    if (!overlays.is_map()) overlays.fail("must be a mapping of overlay name to its links");
    for (const auto& [name, field] : overlays.entries()) {
      spec.overlays.push_back(overlay_links(name, field));
    }
  }
  spec.period = root.required("period").duration();

  const Field drill = root.required("drill");
  drill.reject_unknown_keys({"factor", "scrape_interval", "evaluation_interval"});
  const Field factor = drill.required("factor");
  spec.drill.factor = factor.integer();
  if (spec.drill.factor < 1) factor.fail("must be at least 1");
  spec.drill.scrape_interval = drill.required("scrape_interval").duration();
  spec.drill.evaluation_interval = drill.required("evaluation_interval").duration();

  const Field windows = root.required("burn_rate_alerts");
  for (const Field& item : windows.items()) {
    item.reject_unknown_keys({"severity", "long_window", "short_window", "burn_rate"});
    BurnRateWindow window;
    window.severity = severity(item.required("severity"));
    window.long_window = item.required("long_window").duration();
    window.short_window = item.required("short_window").duration();
    if (window.short_window >= window.long_window) {
      item.fail("short_window must be shorter than long_window");
    }
    if (window.long_window > spec.period) item.fail("long_window must not exceed the period");
    const Field burn_rate = item.required("burn_rate");
    window.burn_rate = burn_rate.number();
    if (!(window.burn_rate > 0)) burn_rate.fail("must be positive");
    spec.burn_rate_alerts.push_back(window);
  }
  if (spec.burn_rate_alerts.empty()) windows.fail("needs at least one entry");

  const Field min_requests = root.required("min_requests");
  spec.min_requests = min_requests.number();
  if (!(spec.min_requests >= 0)) min_requests.fail("must not be negative");

  std::set<std::string> services;
  std::set<std::string> alert_names;
  const Field service_list = root.required("services");
  for (const Field& item : service_list.items()) {
    ServiceSpec parsed = service(item);
    if (!services.insert(parsed.service).second) {
      item.fail("duplicate service \"" + parsed.service + "\"");
    }
    // Each alert name is owned by one rule set (its runbook is named after it).
    std::vector<std::string> names;
    if (parsed.sli_absent_alert) names.push_back(parsed.sli_absent_alert->name);
    std::set<std::string> slo_names;
    for (const RatioSlo& slo : parsed.slos) {
      names.push_back(slo.alert);
      if (!slo_names.insert(slo.slo).second) item.fail("duplicate slo \"" + slo.slo + "\"");
    }
    for (const FreshnessSlo& slo : parsed.freshness_slos) {
      names.push_back(slo.stale_alert.name);
      names.push_back(slo.failed_alert.name);
      if (!slo_names.insert(slo.slo).second) item.fail("duplicate slo \"" + slo.slo + "\"");
    }
    for (const std::string& name : names) {
      if (!alert_names.insert(name).second) item.fail("alert name \"" + name + "\" used twice");
    }
    spec.services.push_back(std::move(parsed));
  }
  if (spec.services.empty()) service_list.fail("needs at least one entry");
  return spec;
}

Spec load_spec(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw SpecError(path + ": cannot read file");
  } catch (const YAML::Exception& e) {
    throw SpecError(path + ": " + e.what());
  }
  try {
    return parse_spec(root);
  } catch (const SpecError& e) {
    throw SpecError(path + ": " + e.what());
  }
}

}  // namespace slo_rules
