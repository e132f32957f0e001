#include "slo_rules/generator.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "slo_rules/drill_rules.hpp"
#include "slo_rules/overlay_rules.hpp"

namespace slo_rules {
namespace {

constexpr std::string_view kHeader =
    "# GENERATED FILE - DO NOT EDIT.\n"
    "# Generated from slos.yaml by slo-rules (tools/slo-rules). Change the spec and run\n"
    "#   make rules    (build/bin/slo-rules --spec alert-rules/slos.yaml --out alert-rules)\n"
    "# The test alert-rules.generated-up-to-date fails when this file differs from the spec.\n";

// Numbers as PromQL and people write them: 12 significant digits drop the binary noise of
// 1 - 0.999 (0.0010000000000000009) while keeping every digit a spec can sensibly hold.
std::string number(double value) {
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general, 12);
  return std::string(buffer, result.ptr);
}

std::string percent(double ratio) { return number(ratio * 100) + "%"; }

std::string seconds(Duration duration) {
  return number(static_cast<double>(duration.count()) / 1000.0);
}

// Single-quoted YAML scalar: the only escape is '' for '.
std::string quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

struct Label {
  std::string name;
  std::string value;
};

// Writes one rule in the layout promtool and people read most easily: the expression as a
// literal block, labels and annotations as quoted scalars in a fixed order.
class RuleWriter {
 public:
  void group(const std::string& name) { out_ << "  - name: " << name << "\n    rules:\n"; }

  void record(const std::string& name, const std::string& expr, const std::vector<Label>& labels) {
    out_ << "      - record: " << name << "\n";
    expression(expr);
    map("labels", labels);
  }

  void alert(const std::string& name, const std::string& expr, Duration for_duration,
             const std::vector<Label>& labels, const std::vector<Label>& annotations) {
    out_ << "      - alert: " << name << "\n";
    expression(expr);
    if (for_duration.count() > 0) out_ << "        for: " << format_duration(for_duration) << "\n";
    map("labels", labels);
    map("annotations", annotations);
  }

  std::string str() const { return out_.str(); }
  std::ostringstream& raw() { return out_; }

 private:
  void expression(const std::string& expr) {
    out_ << "        expr: |-\n";
    std::istringstream lines(expr);
    for (std::string line; std::getline(lines, line);) out_ << "          " << line << "\n";
  }

  void map(const char* key, const std::vector<Label>& entries) {
    if (entries.empty()) return;
    out_ << "        " << key << ":\n";
    for (const Label& entry : entries) {
      out_ << "          " << entry.name << ": " << quoted(entry.value) << "\n";
    }
  }

  std::ostringstream out_;
};

std::string selector_of(const std::string& service, const std::string& slo) {
  return "{service=\"" + service + "\",slo=\"" + slo + "\"}";
}

// Production name of a window in recording-rule names ("5m", "1d", "30d"); the drill keeps the
// production names so that dashboards work unchanged at both scales.
std::string window_name(Duration window) { return format_duration(window); }

std::vector<Duration> ratio_windows(const Spec& spec) {
  std::set<Duration> windows{spec.period};
  for (const BurnRateWindow& window : spec.burn_rate_alerts) {
    windows.insert(window.long_window);
    windows.insert(window.short_window);
  }
  return {windows.begin(), windows.end()};
}

// Bad events in a window, request-weighted: a sum of increases over every matching series.
// `or vector(0)`: no 5xx series yet (a fresh process) means no errors, not "unknown".
std::string error_count(const EventSli& sli, const std::string& range) {
  if (!sli.errors.empty()) {
    return "(sum(increase(" + sli.errors + "[" + range + "])) or vector(0))";
  }
  // errors = total - good; clamped because the two sums are extrapolated separately.
  return "(clamp_min(sum(increase(" + sli.total + "[" + range + "])) - sum(increase(" + sli.good +
         "[" + range + "])), 0) or vector(0))";
}

// The page window whose alert clears soonest once the errors stop (the shortest short window,
// then the shortest long one): the only one that carries an SLO's remediation. The auto-healer
// takes a still-firing alert after its --cooldown as a restart that did not help; the slower
// pages stay firing for their short window after a fix (30m for the 6h/30m pair), so a
// remediation label on them would make it restart a healed service again and hand it over.
const BurnRateWindow* fastest_page_window(const Spec& spec) {
  const BurnRateWindow* fastest = nullptr;
  for (const BurnRateWindow& window : spec.burn_rate_alerts) {
    if (window.severity != "page") continue;
    if (fastest == nullptr || std::pair(window.short_window, window.long_window) <
                                  std::pair(fastest->short_window, fastest->long_window)) {
      fastest = &window;
    }
  }
  return fastest;
}

void render_ratio_slo(RuleWriter& writer, const Spec& spec, const ServiceSpec& service,
                      const RatioSlo& slo, const Scale& scale) {
  const std::string labels_selector = selector_of(service.service, slo.slo);
  const std::vector<Label> labels{{"service", service.service}, {"slo", slo.slo}};
  const double budget = 1.0 - slo.objective;
  const std::string budget_text = number(budget);
  const std::string period_name = window_name(spec.period);

  writer.group("slo-" + service.service + "-" + slo.slo);
  writer.record("slo:objective:ratio", "vector(" + number(slo.objective) + ")", labels);

  std::set<Duration> long_windows;
  for (const BurnRateWindow& window : spec.burn_rate_alerts)
    long_windows.insert(window.long_window);

  for (const Duration window : ratio_windows(spec)) {
    const std::string name = window_name(window);
    const std::string range = format_duration(scale.apply(window, "window " + name));
    // Requests per second; the minimum-traffic guard reads it for the long windows. The period
    // is left out: a 30-day rate of raw series is expensive and nothing reads it.
    if (window != spec.period) {
      writer.record("slo:sli_total:rate" + name, "sum(rate(" + slo.sli.total + "[" + range + "]))",
                    labels);
    }
    // Ratio of sums of increases, never an average of ratios, for every window including the
    // period: each request weighs the same whatever the traffic was when it came. clamp_min(.., 1)
    // keeps the ratio 0 (not NaN) when the window saw no requests; with at least one request it
    // changes nothing.
    writer.record("slo:sli_error:ratio_rate" + name,
                  error_count(slo.sli, range) + "\n/\nclamp_min(sum(increase(" + slo.sli.total +
                      "[" + range + "])), 1)",
                  labels);
    writer.record("slo:burn_rate:ratio_rate" + name,
                  "slo:sli_error:ratio_rate" + name + labels_selector + " / " + budget_text,
                  labels);
  }
  writer.record(
      "slo:error_budget_remaining:ratio",
      "1 - slo:sli_error:ratio_rate" + period_name + labels_selector + " / " + budget_text, labels);

  const std::string period_text = format_duration(scale.apply(spec.period, "period"));
  const BurnRateWindow* healed = fastest_page_window(spec);
  for (const BurnRateWindow& window : spec.burn_rate_alerts) {
    const std::string long_name = window_name(window.long_window);
    const std::string short_name = window_name(window.short_window);
    const Duration long_range = scale.apply(window.long_window, "window " + long_name);
    const std::string long_text = format_duration(long_range);
    const std::string short_text =
        format_duration(scale.apply(window.short_window, "window " + short_name));
    const std::string threshold = number(window.burn_rate);
    const std::string expr = "slo:burn_rate:ratio_rate" + long_name + labels_selector + " > " +
                             threshold + "\nand\nslo:burn_rate:ratio_rate" + short_name +
                             labels_selector + " > " + threshold + "\nand\nslo:sli_total:rate" +
                             long_name + labels_selector + " * " + seconds(long_range) +
                             " >= " + number(spec.min_requests);
    const std::string summary = service.service + " " + slo.slo + " SLO: error budget burning " +
                                "over " + threshold + "x the sustainable rate (" + long_text +
                                " and " + short_text + ")";
    const std::string description =
        "The " + service.service + " " + slo.slo + " SLO (" + percent(slo.objective) + " of " +
        slo.description + ", over " + period_text +
        ") is burning its error budget at {{ printf \"%.1f\" $value }}x the sustainable rate "
        "over the last " +
        long_text + ", and above " + threshold + "x over the last " + short_text + ". " +
        "{{ with printf \"slo:error_budget_remaining:ratio{service=%q,slo=%q}\" $labels.service "
        "$labels.slo | query }}{{ . | first | value | humanizePercentage }}{{ else }}An unknown "
        "share{{ end }} of the " +
        period_text + " error budget is left.";
    std::vector<Label> alert_labels{{"severity", window.severity},
                                    {"service", service.service},
                                    {"slo", slo.slo},
                                    {"long_window", long_text},
                                    {"short_window", short_text}};
    if (!slo.remediation.empty() && &window == healed) {
      alert_labels.push_back({"remediation", slo.remediation});
    }
    writer.alert(slo.alert, expr, Duration(0), alert_labels,
                 {{"summary", summary},
                  {"description", description},
                  {"runbook_url", spec.runbook_base_url + "/" + slo.alert},
                  {"dashboard_url", spec.dashboard_base_url + "?var-service=" + service.service}});
  }
}

void render_sli_absent(RuleWriter& writer, const Spec& spec, const ServiceSpec& service,
                       const Scale& scale) {
  const AlertRef& alert = *service.sli_absent_alert;
  std::vector<std::string> selectors;
  std::string slo_names;
  for (const RatioSlo& slo : service.slos) {
    if (std::find(selectors.begin(), selectors.end(), slo.sli.total) == selectors.end()) {
      selectors.push_back(slo.sli.total);
    }
    slo_names += (slo_names.empty() ? "" : ", ") + slo.slo;
  }
  std::string expr;
  for (const std::string& selector : selectors) {
    expr += (expr.empty() ? "  " : "\n  or\n  ") + ("absent(" + selector + ")");
  }
  // absent() copies the selectors' equality matchers into its labels (le="+Inf" from one, not
  // the other): max() makes it one alert with the rule's labels only.
  expr = "max(\n" + expr + "\n)";
  const Duration for_duration = scale.apply(alert.for_duration, alert.name + " for");
  writer.group("slo-" + service.service + "-sli");
  writer.alert(alert.name, expr, for_duration,
               {{"severity", alert.severity}, {"service", service.service}},
               {{"summary", service.service + " SLI series are absent"},
                {"description", "No series has matched the SLI selectors of " + service.service +
                                    " (" + slo_names + ") for " + format_duration(for_duration) +
                                    ": Prometheus is not scraping " + service.service +
                                    ", so its SLO alerts cannot fire."},
                {"runbook_url", spec.runbook_base_url + "/" + alert.name}});
}

void render_freshness_slo(RuleWriter& writer, const Spec& spec, const ServiceSpec& service,
                          const FreshnessSlo& slo, const Scale& scale) {
  // Not divided by the factor: the job runs on the wall clock whatever the scale of the SLO
  // windows, at the period the drill profile gives it.
  const Duration schedule_period = scale.is_drill() && slo.drill_schedule_period
                                       ? *slo.drill_schedule_period
                                       : slo.schedule_period;
  const Duration max_age = schedule_period * slo.max_periods_without_success;
  const std::string max_age_text = format_duration(max_age);
  const std::string rule_text = max_age_text + " (" +
                                std::to_string(slo.max_periods_without_success) + " x the " +
                                format_duration(schedule_period) + " schedule)";
  const std::string runbook = spec.runbook_base_url + "/" + slo.stale_alert.name;
  auto stale_labels = [&](const char* reason) {
    return std::vector<Label>{{"severity", slo.stale_alert.severity},
                              {"service", service.service},
                              {"slo", slo.slo},
                              {"reason", reason}};
  };
  writer.group("slo-" + service.service + "-" + slo.slo);
  writer.alert(slo.stale_alert.name,
               "time() - max by (job) (" + slo.last_success_metric + ") > " + seconds(max_age),
               Duration(0), stale_labels("last-success-too-old"),
               {{"summary", service.service + " has not succeeded for more than " + max_age_text},
                {"description", "The last successful " + service.service +
                                    " run was {{ $value | humanizeDuration }} ago; the " + slo.slo +
                                    " SLO asks for " + slo.description + ", that is one every " +
                                    rule_text + "."},
                {"runbook_url", runbook}});
  // A Pushgateway restart or a job that never succeeded leaves no timestamp at all. `for`, not
  // absent_over_time: a freshly started Prometheus has no history and must not page at once.
  // The `reason` label keeps the two rules of one alert apart.
  writer.alert(slo.stale_alert.name, "absent(" + slo.last_success_metric + ")", max_age,
               stale_labels("no-success-timestamp"),
               {{"summary", service.service + " has not succeeded for more than " + max_age_text},
                {"description", "No " + service.service +
                                    " success timestamp has been pushed to the Pushgateway for " +
                                    max_age_text + "; the " + slo.slo + " SLO asks for " +
                                    slo.description + ", that is one every " + rule_text + "."},
                {"runbook_url", runbook}});
  writer.alert(
      slo.failed_alert.name, "min by (job) (" + slo.last_run_success_metric + ") == 0", Duration(0),
      {{"severity", slo.failed_alert.severity}, {"service", service.service}, {"slo", slo.slo}},
      {{"summary", "The last " + service.service + " run failed"},
       {"description", "The last " + service.service +
                           " run reported failure. One failed run does not break the " + slo.slo +
                           " SLO yet; " + std::to_string(slo.max_periods_without_success) +
                           " schedule periods without a success do."},
       {"runbook_url", spec.runbook_base_url + "/" + slo.failed_alert.name}});
}

bool is_relative_path(const std::string& path) {
  return !path.empty() && path.front() != '/' && path.find("://") == std::string::npos;
}

// Relative paths in Prometheus and Alertmanager configurations are resolved against the
// configuration file's directory; the drill copy lives one level down.
void rebase_file_paths(const YAML::Node& node) {
  if (node.IsMap()) {
    for (auto entry : node) {
      const auto key = entry.first.as<std::string>();
      const bool file_key = key.size() > 5 && key.compare(key.size() - 5, 5, "_file") == 0;
      if (file_key && entry.second.IsScalar()) {
        const auto path = entry.second.as<std::string>();
        if (is_relative_path(path)) entry.second = "../" + path;
      } else if ((key == "files" || key == "templates") && entry.second.IsSequence()) {
        for (std::size_t i = 0; i < entry.second.size(); ++i) {
          const auto path = entry.second[i].as<std::string>();
          if (is_relative_path(path)) entry.second[i] = "../" + path;
        }
      } else {
        rebase_file_paths(entry.second);
      }
    }
  } else if (node.IsSequence()) {
    for (auto item : node) rebase_file_paths(item);
  }
}

std::string emit(const YAML::Node& node, const std::string& note) {
  YAML::Emitter emitter;
  emitter << node;
  if (!emitter.good()) throw SpecError("cannot write YAML: " + emitter.GetLastError());
  return std::string(kHeader) + note + emitter.c_str() + "\n";
}

void scale_route(YAML::Node route, const Scale& scale) {
  for (const char* key : {"group_wait", "group_interval", "repeat_interval"}) {
    if (route[key]) {
      const Duration value = parse_duration(route[key].as<std::string>());
      route[key] = format_duration(std::max(Duration(1), value / scale.factor));
    }
  }
  if (route["routes"]) {
    for (auto child : route["routes"]) scale_route(child, scale);
  }
}

}  // namespace

Duration Scale::apply(Duration duration, const std::string& what) const {
  if (duration.count() % factor != 0) {
    throw SpecError("drill factor " + std::to_string(factor) + " does not divide " + what + " (" +
                    format_duration(duration) + ") into whole milliseconds");
  }
  return duration / factor;
}

std::string rule_file_name(const ServiceSpec& service) {
  return "slo-" + service.service + ".rules.yml";
}

std::string render_service_rules(const Spec& spec, const ServiceSpec& service, const Scale& scale) {
  // Check every window first so that the error names the shortest window that does not divide.
  for (const Duration window : ratio_windows(spec)) {
    scale.apply(window, "window " + window_name(window));
  }
  RuleWriter writer;
  writer.raw() << kHeader;
  if (scale.is_drill()) {
    const Duration example = spec.burn_rate_alerts.front().long_window;
    writer.raw() << "# Scale: DRILL. The SLO period and every window are divided by "
                 << scale.factor
                 << "; recording-rule names keep\n"
                    "# the production window names (slo:sli_error:ratio_rate"
                 << window_name(example) << " holds a "
                 << format_duration(scale.apply(example, "window")) << " window) so dashboards "
                 << "work at both scales.\n"
                    "# Freshness SLOs are not divided: they use the job's drill_schedule_period.\n";
  } else {
    writer.raw() << "# Scale: production (" << format_duration(spec.period)
                 << " SLO period, SRE Workbook table 5-8 windows).\n";
  }
  writer.raw() << "# Minimum-traffic guard: a burn-rate alert needs at least "
               << number(spec.min_requests) << " requests in its long window.\ngroups:\n";
  for (const RatioSlo& slo : service.slos) render_ratio_slo(writer, spec, service, slo, scale);
  if (service.sli_absent_alert) render_sli_absent(writer, spec, service, scale);
  for (const FreshnessSlo& slo : service.freshness_slos) {
    render_freshness_slo(writer, spec, service, slo, scale);
  }
  return writer.str();
}

std::vector<std::string> hand_written_rule_files(const YAML::Node& production, const Spec& spec) {
  std::set<std::string> generated;
  for (const ServiceSpec& service : spec.services) generated.insert(rule_file_name(service));
  std::vector<std::string> names;
  if (!production.IsMap() || !production["rule_files"]) return names;
  for (const auto& entry : production["rule_files"]) {
    const auto path = entry.as<std::string>();
    // The drill copies live in drill/, one level down: a file outside alert-rules/ or in a
    // subfolder would need its own place there.
    if (generated.count(path) == 0 && is_relative_path(path)) {
      if (path.find('/') != std::string::npos) {
        throw SpecError("prometheus.yml: rule file " + path +
                        " must be beside prometheus.yml to get a drill copy");
      }
      names.push_back(path);
    }
  }
  return names;
}

std::string render_drill_prometheus(const YAML::Node& production, const Spec& spec,
                                    const Scale& scale) {
  YAML::Node config = YAML::Clone(production);
  if (!config.IsMap()) throw SpecError("prometheus.yml: must be a YAML mapping");
  YAML::Node rule_files = config["rule_files"];
  config.remove("rule_files");
  rebase_file_paths(config);
  if (rule_files) {
    for (std::size_t i = 0; i < rule_files.size(); ++i) {
      const auto path = rule_files[i].as<std::string>();
      // Generated and hand-written rule files alike have a drill copy beside this file (see
      // drill_rule_files()); an absolute path is not ours to scale and stays as it is.
      if (!is_relative_path(path)) rule_files[i] = path;
    }
    config["rule_files"] = rule_files;
  }
  config["global"]["scrape_interval"] = format_duration(spec.drill.scrape_interval);
  config["global"]["scrape_timeout"] = format_duration(spec.drill.scrape_interval);
  config["global"]["evaluation_interval"] = format_duration(spec.drill.evaluation_interval);
  if (config["scrape_configs"]) {
    for (auto job : config["scrape_configs"]) {
      job.remove("scrape_interval");
      job.remove("scrape_timeout");
    }
  }
  return emit(config,
              "# Scale: DRILL (factor " + std::to_string(scale.factor) +
                  "). Derived from prometheus.yml: " + format_duration(spec.drill.scrape_interval) +
                  " scrape and " + format_duration(spec.drill.evaluation_interval) +
                  " evaluation intervals,\n# the drill copy of every rule file, generated "
                  "and hand-written.\n");
}

std::string render_drill_alertmanager(const YAML::Node& production, const Scale& scale) {
  YAML::Node config = YAML::Clone(production);
  if (!config.IsMap() || !config["route"]) {
    throw SpecError("alertmanager.yml: must be a YAML mapping with a route");
  }
  rebase_file_paths(config);
  scale_route(config["route"], scale);
  if (config["global"] && config["global"]["resolve_timeout"]) {
    const Duration value = parse_duration(config["global"]["resolve_timeout"].as<std::string>());
    config["global"]["resolve_timeout"] = format_duration(value / scale.factor);
  }
  return emit(config, "# Scale: DRILL (factor " + std::to_string(scale.factor) +
                          "). Derived from alertmanager.yml: route timings divided by the "
                          "factor,\n# relative paths rebased onto alert-rules/.\n");
}

std::vector<GeneratedFile> generate_all(const Spec& spec, const std::string& config_dir,
                                        int drill_factor, const std::string& overlays_dir) {
  const Scale production{1};
  const Scale drill{drill_factor};
  std::vector<GeneratedFile> files;
  for (const ServiceSpec& service : spec.services) {
    files.push_back({rule_file_name(service), render_service_rules(spec, service, production)});
  }
  for (const ServiceSpec& service : spec.services) {
    files.push_back(
        {"drill/" + rule_file_name(service), render_service_rules(spec, service, drill)});
  }
  auto load = [&](const std::string& name) {
    const std::string path = config_dir + "/" + name;
    try {
      return YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
      throw SpecError(path + ": cannot read file");
    } catch (const YAML::Exception& e) {
      throw SpecError(path + ": " + e.what());
    }
  };
  const YAML::Node prometheus = load("prometheus.yml");
  std::vector<std::pair<std::string, std::string>> hand_written;
  for (const std::string& name : hand_written_rule_files(prometheus, spec)) {
    std::ifstream in(config_dir + "/" + name, std::ios::binary);
    if (!in) throw SpecError(config_dir + "/" + name + ": cannot read file");
    std::ostringstream text;
    text << in.rdbuf();
    // Four scrapes per range at least, as Prometheus recommends for rate().
    files.push_back({"drill/" + name, render_drill_rule_file(text.str(), name, drill,
                                                             4 * spec.drill.scrape_interval)});
    hand_written.emplace_back(name, text.str());
  }
  files.push_back({"drill/prometheus.yml", render_drill_prometheus(prometheus, spec, drill)});
  files.push_back(
      {"drill/alertmanager.yml", render_drill_alertmanager(load("alertmanager.yml"), drill)});
  if (!overlays_dir.empty()) {
    for (const OverlayLinks& links : spec.overlays) {
      for (auto& file : render_overlay(spec, links, hand_written)) {
        file.relative_path =
            overlays_dir + "/" + links.overlay + "/generated/" + file.relative_path;
        files.push_back(std::move(file));
      }
    }
  }
  return files;
}

}  // namespace slo_rules
