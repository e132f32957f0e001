#include <httplib.h>

#include <map>
#include <nlohmann/json.hpp>

#include "firedrill/alerting/matcher.hpp"
#include "firedrill/log.hpp"
#include "mock_slack_ui/html.hpp"
#include "mock_slack_ui/postmortem.hpp"
#include "text.hpp"

namespace mock_slack::ui {
namespace {

std::string burn_rate_selector(std::string_view service, std::string_view slo) {
  std::string selector =
      "slo:burn_rate:ratio_rate5m{service=" + firedrill::alerting::quote(service);
  if (!slo.empty()) selector += ",slo=" + firedrill::alerting::quote(slo);
  return selector + "}";
}

struct BaseUrl {
  std::string scheme_host_port;  // "http://127.0.0.1:9090"
  std::string path_prefix;       // "" or "/prometheus"
};

std::optional<BaseUrl> split_base_url(std::string_view url) {
  const std::string safe = safe_url(url);
  if (safe.empty()) return std::nullopt;
  const std::size_t host_start = safe.find("://") + 3;
  const std::size_t path_start = safe.find_first_of("/?#", host_start);
  BaseUrl out;
  out.scheme_host_port = safe.substr(0, path_start);
  if (path_start != std::string::npos) {
    if (safe[path_start] != '/') return std::nullopt;
    out.path_prefix = safe.substr(path_start);
    while (!out.path_prefix.empty() && out.path_prefix.back() == '/') out.path_prefix.pop_back();
  }
  return out;
}

/// Runs one instant query; the series' (slo label, value), or nullopt after logging why not.
std::optional<std::vector<std::pair<std::string, double>>> instant_query(httplib::Client& client,
                                                                         const BaseUrl& base,
                                                                         const std::string& promql,
                                                                         double time_seconds) {
  const std::string path = base.path_prefix + "/api/v1/query?query=" + url_encode(promql) +
                           "&time=" + detail::format_fixed(time_seconds, 3);
  const auto res = client.Get(path.c_str());
  const auto fail = [&](std::string_view why) {
    firedrill::log::warn("postmortem budget figures unavailable",
                         {{"peer", base.scheme_host_port}, {"query", promql}, {"error", why}});
    return std::nullopt;
  };
  if (!res) return fail(httplib::to_string(res.error()));
  if (res->status != 200) return fail("HTTP " + std::to_string(res->status));
  const auto body = nlohmann::json::parse(res->body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return fail("response is not JSON");
  if (body.value("status", "") != "success") return fail("status is not success");
  const auto data = body.find("data");
  if (data == body.end() || !data->is_object()) return fail("no data");
  const auto result = data->find("result");
  if (result == data->end() || !result->is_array()) return fail("no result array");
  std::vector<std::pair<std::string, double>> out;
  for (const auto& series : *result) {
    const auto metric = series.find("metric");
    const auto value = series.find("value");
    if (metric == series.end() || value == series.end() || !value->is_array() ||
        value->size() != 2 || !(*value)[1].is_string()) {
      return fail("malformed series");
    }
    std::string slo;
    if (metric->is_object()) {
      const auto it = metric->find("slo");
      if (it != metric->end() && it->is_string()) slo = it->get<std::string>();
    }
    try {
      out.emplace_back(slo, std::stod((*value)[1].get<std::string>()));
    } catch (const std::exception&) {
      return fail("sample value is not a number");
    }
  }
  return out;
}

}  // namespace

std::string PrometheusBudgetQuery::peak_burn_rate(std::string_view service, std::string_view slo,
                                                  std::chrono::seconds window) {
  return "max_over_time(" + burn_rate_selector(service, slo) + "[" +
         std::to_string(window.count()) + "s])";
}

std::string PrometheusBudgetQuery::budget_consumed(std::string_view service, std::string_view slo,
                                                   std::chrono::seconds window,
                                                   std::chrono::seconds period) {
  return "avg_over_time(" + burn_rate_selector(service, slo) + "[" +
         std::to_string(window.count()) + "s]) * " + std::to_string(window.count()) + " / " +
         std::to_string(period.count());
}

std::optional<BudgetFigures> fetch_budget_figures(std::string_view base_url,
                                                  const IncidentView& incident_in,
                                                  UnixMillis now_ms,
                                                  const BudgetFetchOptions& options) {
  const auto base = split_base_url(base_url);
  if (!base) {
    firedrill::log::warn("postmortem budget figures unavailable",
                         {{"peer", std::string(base_url)}, {"error", "not an http(s) URL"}});
    return std::nullopt;
  }
  IncidentView incident = incident_in;
  complete_from_occurrences(incident);
  const UnixMillis end_ms = incident.resolved_at_ms.value_or(now_ms);
  const auto window =
      std::chrono::seconds(std::max<UnixMillis>(1, (end_ms - incident.started_at_ms + 999) / 1000));
  const double time_seconds = static_cast<double>(end_ms) / 1000.0;

  httplib::Client client(base->scheme_host_port);
  const auto timeout_s = std::chrono::duration_cast<std::chrono::seconds>(options.timeout);
  const auto timeout_us =
      std::chrono::duration_cast<std::chrono::microseconds>(options.timeout - timeout_s);
  client.set_connection_timeout(static_cast<time_t>(timeout_s.count()),
                                static_cast<time_t>(timeout_us.count()));
  client.set_read_timeout(static_cast<time_t>(timeout_s.count()),
                          static_cast<time_t>(timeout_us.count()));

  BudgetFigures figures;
  figures.prometheus_url = std::string(base_url);
  figures.period = options.period_label;
  for (const std::string& service : incident.services) {
    const std::string peak_q = PrometheusBudgetQuery::peak_burn_rate(service, "", window);
    const std::string used_q =
        PrometheusBudgetQuery::budget_consumed(service, "", window, options.period);
    figures.queries.push_back(peak_q);
    figures.queries.push_back(used_q);
    const auto peak = instant_query(client, *base, peak_q, time_seconds);
    if (!peak) return std::nullopt;
    const auto used = instant_query(client, *base, used_q, time_seconds);
    if (!used) return std::nullopt;
    std::map<std::string, SloBudgetFigures> by_slo;
    for (const auto& [slo, value] : *peak) {
      SloBudgetFigures& f = by_slo[slo];
      f.service = service;
      f.slo = slo;
      f.peak_burn_rate = value;
    }
    for (const auto& [slo, value] : *used) {
      SloBudgetFigures& f = by_slo[slo];
      f.service = service;
      f.slo = slo;
      f.budget_consumed_ratio = value;
    }
    for (auto& [slo, f] : by_slo) figures.slos.push_back(std::move(f));
  }
  return figures;
}

}  // namespace mock_slack::ui
