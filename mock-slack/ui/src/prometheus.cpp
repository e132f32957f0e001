// The Prometheus HTTP API client (mock_slack_ui/prometheus.hpp; tests/prometheus_test.cpp).
#include "mock_slack_ui/prometheus.hpp"

#include <httplib.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "firedrill/log.hpp"
#include "mock_slack_ui/html.hpp"
#include "text.hpp"

namespace mock_slack::ui {
namespace {

using nlohmann::json;

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

std::string seconds_param(UnixMillis ms) {
  return detail::format_fixed(static_cast<double>(ms) / 1000.0, 3);
}

/// Prometheus writes sample values as strings: "0.5", "NaN", "+Inf".
std::optional<double> sample_value(const json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.get_ref<const std::string&>();
  try {
    std::size_t used = 0;
    const double d = std::stod(s, &used);
    if (used != s.size()) return std::nullopt;
    return d;
  } catch (const std::exception&) {
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    return std::nullopt;
  }
}

/// `object[key]` when it is a string, else "" (json::value() would throw on another type).
std::string string_field(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// `object[key]`, or null (json::value() would throw on a non-object).
json member(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? json() : *it;
}

LabelMap labels_of(const json& object) {
  LabelMap out;
  if (!object.is_object()) return out;
  for (const auto& [k, v] : object.items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

/// The "data" member of a successful answer, or why there is none.
PrometheusResult<json> data_of(const httplib::Result& res, const std::string& peer) {
  if (!res) return PrometheusError{peer, "request failed: " + httplib::to_string(res.error())};
  auto body = json::parse(res->body, nullptr, false);
  if (res->status != 200) {
    std::string why = "HTTP " + std::to_string(res->status);
    if (!body.is_discarded() && body.is_object() && body.contains("error") &&
        body["error"].is_string()) {
      why += ": " + body["error"].get<std::string>();
    }
    return PrometheusError{peer, why};
  }
  if (body.is_discarded() || !body.is_object()) return PrometheusError{peer, "answer is not JSON"};
  if (string_field(body, "status") != "success") {
    return PrometheusError{peer, "status is not success"};
  }
  auto data = body.find("data");
  if (data == body.end()) return PrometheusError{peer, "answer has no data"};
  return std::move(*data);
}

}  // namespace

struct PrometheusClient::Impl {
  std::optional<BaseUrl> base;
  std::unique_ptr<httplib::Client> client;

  PrometheusResult<json> get(const std::string& path_and_query, std::string_view what) {
    if (!base) return PrometheusError{"", "not an http(s) URL"};
    auto out =
        data_of(client->Get((base->path_prefix + path_and_query).c_str()), base->scheme_host_port);
    if (const auto* e = std::get_if<PrometheusError>(&out)) {
      firedrill::log::warn(
          "prometheus query failed",
          {{"peer", e->peer}, {"query", std::string(what)}, {"error", e->message}});
    }
    return out;
  }
};

PrometheusClient::PrometheusClient(std::string_view base_url, std::chrono::milliseconds timeout)
    : base_url_(base_url), impl_(std::make_unique<Impl>()) {
  impl_->base = split_base_url(base_url);
  if (!impl_->base) return;
  impl_->client = std::make_unique<httplib::Client>(impl_->base->scheme_host_port);
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout - s);
  impl_->client->set_connection_timeout(static_cast<time_t>(s.count()),
                                        static_cast<time_t>(us.count()));
  impl_->client->set_read_timeout(static_cast<time_t>(s.count()), static_cast<time_t>(us.count()));
}

PrometheusClient::~PrometheusClient() = default;

PrometheusResult<std::vector<InstantSample>> PrometheusClient::query(std::string_view promql,
                                                                     UnixMillis at_ms) {
  auto data = impl_->get(
      "/api/v1/query?query=" + url_encode(promql) + "&time=" + seconds_param(at_ms), promql);
  if (auto* e = std::get_if<PrometheusError>(&data)) return std::move(*e);
  const json& d = std::get<json>(data);
  const PrometheusError bad{impl_->base->scheme_host_port, "malformed vector answer"};
  if (!d.is_object() || string_field(d, "resultType") != "vector" || !d.contains("result") ||
      !d["result"].is_array()) {
    return bad;
  }
  std::vector<InstantSample> out;
  for (const json& series : d["result"]) {
    const auto value = series.find("value");
    if (!series.is_object() || value == series.end() || !value->is_array() || value->size() != 2) {
      return bad;
    }
    const auto v = sample_value((*value)[1]);
    if (!v) return bad;
    out.push_back({labels_of(member(series, "metric")), *v});
  }
  return out;
}

PrometheusResult<std::vector<RangeSeries>> PrometheusClient::query_range(
    std::string_view promql, UnixMillis start_ms, UnixMillis end_ms, std::chrono::seconds step) {
  const long long step_s = std::max<long long>(1, step.count());
  auto data = impl_->get("/api/v1/query_range?query=" + url_encode(promql) +
                             "&start=" + seconds_param(start_ms) + "&end=" + seconds_param(end_ms) +
                             "&step=" + std::to_string(step_s),
                         promql);
  if (auto* e = std::get_if<PrometheusError>(&data)) return std::move(*e);
  const json& d = std::get<json>(data);
  const PrometheusError bad{impl_->base->scheme_host_port, "malformed matrix answer"};
  if (!d.is_object() || string_field(d, "resultType") != "matrix" || !d.contains("result") ||
      !d["result"].is_array()) {
    return bad;
  }
  std::vector<RangeSeries> out;
  for (const json& series : d["result"]) {
    const auto values = series.find("values");
    if (!series.is_object() || values == series.end() || !values->is_array()) return bad;
    RangeSeries s;
    s.metric = labels_of(member(series, "metric"));
    for (const json& point : *values) {
      if (!point.is_array() || point.size() != 2 || !point[0].is_number()) return bad;
      const auto v = sample_value(point[1]);
      if (!v) return bad;
      s.points.emplace_back(std::llround(point[0].get<double>() * 1000.0), *v);
    }
    out.push_back(std::move(s));
  }
  return out;
}

PrometheusResult<std::vector<PrometheusRule>> PrometheusClient::rules() {
  auto data = impl_->get("/api/v1/rules", "rules");
  if (auto* e = std::get_if<PrometheusError>(&data)) return std::move(*e);
  const json& d = std::get<json>(data);
  const PrometheusError bad{impl_->base->scheme_host_port, "malformed rules answer"};
  if (!d.is_object() || !d.contains("groups") || !d["groups"].is_array()) return bad;
  std::vector<PrometheusRule> out;
  for (const json& group : d["groups"]) {
    if (!group.is_object() || !group.contains("rules") || !group["rules"].is_array()) return bad;
    for (const json& rule : group["rules"]) {
      if (!rule.is_object() || !rule.contains("name") || !rule["name"].is_string() ||
          !rule.contains("query") || !rule["query"].is_string()) {
        return bad;
      }
      out.push_back({string_field(rule, "type") == "alerting", rule["name"].get<std::string>(),
                     rule["query"].get<std::string>(), labels_of(member(rule, "labels"))});
    }
  }
  return out;
}

std::pair<std::string, int> with_range(std::string_view promql, std::chrono::seconds range) {
  std::string out;
  out.reserve(promql.size());
  int replaced = 0;
  char quote = 0;
  for (std::size_t i = 0; i < promql.size(); ++i) {
    const char c = promql[i];
    if (quote != 0) {
      out += c;
      if (c == '\\' && i + 1 < promql.size() && quote != '`') {
        out += promql[++i];
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'' || c == '`') {
      quote = c;
      out += c;
      continue;
    }
    if (c == '[') {
      const std::size_t close = promql.find(']', i);
      if (close == std::string_view::npos) return {std::string(promql), 0};
      out += "[" + std::to_string(range.count()) + "s]";
      ++replaced;
      i = close;
      continue;
    }
    out += c;
  }
  return {out, replaced};
}

}  // namespace mock_slack::ui
