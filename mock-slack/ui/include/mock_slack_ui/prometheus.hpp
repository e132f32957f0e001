#pragma once

/// mock-slack's one Prometheus client (HTTP API v1): instant queries, range queries and the
/// loaded rules, for the postmortem draft's figures and the SLI chart (sli.hpp). Every call
/// either returns the parsed answer or a PrometheusError saying what went wrong, with the peer;
/// nothing is thrown. Blocking; a client is used by one thread at a time.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui {

/// Why Prometheus gave no answer: "connection refused", "HTTP 503", "status is not success: ...".
struct PrometheusError {
  std::string peer;     ///< the base URL asked
  std::string message;  ///< one line
};

/// One series of an instant query: its labels and value.
struct InstantSample {
  LabelMap metric;
  double value = 0;
};

/// One series of a range query: its labels and (time, value) points in time order.
struct RangeSeries {
  LabelMap metric;
  std::vector<std::pair<UnixMillis, double>> points;
};

/// One rule as /api/v1/rules lists it: a recording rule (`name` is the recorded series) or an
/// alerting rule (`name` is the alert).
struct PrometheusRule {
  bool alerting = false;
  std::string name;
  std::string query;  ///< the PromQL as Prometheus loaded it
  LabelMap labels;
};

template <typename T>
using PrometheusResult = std::variant<T, PrometheusError>;

class PrometheusClient {
 public:
  /// `base_url`: "http://host:port" with an optional path prefix ("http://h/prometheus/").
  /// An unusable URL (not http(s)) makes every call answer a PrometheusError.
  explicit PrometheusClient(std::string_view base_url,
                            std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  ~PrometheusClient();
  PrometheusClient(const PrometheusClient&) = delete;
  PrometheusClient& operator=(const PrometheusClient&) = delete;

  const std::string& base_url() const { return base_url_; }

  /// GET /api/v1/query?query=&time= (seconds, 3 decimals).
  PrometheusResult<std::vector<InstantSample>> query(std::string_view promql, UnixMillis at_ms);
  /// GET /api/v1/query_range?query=&start=&end=&step= (step in whole seconds, at least 1).
  PrometheusResult<std::vector<RangeSeries>> query_range(std::string_view promql,
                                                         UnixMillis start_ms, UnixMillis end_ms,
                                                         std::chrono::seconds step);
  /// GET /api/v1/rules: every rule of every group.
  PrometheusResult<std::vector<PrometheusRule>> rules();

 private:
  struct Impl;
  std::string base_url_;
  std::unique_ptr<Impl> impl_;
};

/// `promql` with every range `[...]` outside string literals replaced by `[<seconds>s]`, and
/// how many were replaced (0: the expression has no range, and is returned unchanged). Used to
/// evaluate a generated SLI recording rule over another window.
std::pair<std::string, int> with_range(std::string_view promql, std::chrono::seconds range);

}  // namespace mock_slack::ui
