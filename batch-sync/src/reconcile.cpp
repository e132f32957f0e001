#include "batch_sync/reconcile.hpp"

#include <algorithm>
#include <cstdlib>

#include "firedrill/alerting/payload.hpp"
#include "firedrill/log.hpp"

namespace firedrill::batch_sync {

using nlohmann::json;

std::optional<AlertsRead> parse_alerts(const std::string& body, std::string& error) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    error = "the alerts response is not JSON";
    return std::nullopt;
  }
  if (!doc.is_array()) {
    error = "the alerts response is not a JSON array";
    return std::nullopt;
  }
  AlertsRead out;
  std::vector<std::pair<std::string, std::size_t>> order;  // (fingerprint, index in doc)
  for (std::size_t i = 0; i < doc.size(); ++i) {
    try {
      auto parsed = alerting::parse_gettable_alert(doc[i], "alerts[" + std::to_string(i) + "]");
      order.emplace_back(std::move(parsed.fingerprint), i);
    } catch (const alerting::PayloadError& e) {
      out.rejected.emplace_back(e.what());
    }
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [fingerprint, index] : order) out.alerts.push_back(std::move(doc[index]));
  return out;
}

std::vector<json> split_batches(const json& alerts, std::size_t batch_size) {
  std::vector<json> batches;
  if (batch_size == 0) batch_size = 1;
  for (std::size_t start = 0; start < alerts.size(); start += batch_size) {
    json batch = json::array();
    const std::size_t end = std::min(alerts.size(), start + batch_size);
    for (std::size_t i = start; i < end; ++i) batch.push_back(alerts[i]);
    batches.push_back(std::move(batch));
  }
  return batches;
}

std::string sync_request_body(const json& batch) {
  return json{{"source", "alertmanager"}, {"alerts", batch}}.dump();
}

std::optional<SyncCounts> parse_sync_response(const std::string& body, std::string& error) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "the sync response is not a JSON object";
    return std::nullopt;
  }
  SyncCounts counts;
  for (auto [key, target] : {std::pair<const char*, std::uint64_t*>{"received", &counts.received},
                             {"new", &counts.new_records},
                             {"updated", &counts.updated}}) {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_number_unsigned()) {
      error = std::string("the sync response has no non-negative integer \"") + key + "\"";
      return std::nullopt;
    }
    *target = it->get<std::uint64_t>();
  }
  return counts;
}

void RunStage::set(std::string stage) {
  std::lock_guard lock(mutex_);
  stage_ = std::move(stage);
}

std::string RunStage::get() const {
  std::lock_guard lock(mutex_);
  return stage_;
}

Reconciler::Reconciler(const Settings& settings, FaultPlan fault, Clock& clock,
                       Cancellation& cancellation, std::mt19937_64& rng, RunCounters& counters,
                       RunStage& stage)
    : settings_(settings),
      fault_(fault),
      clock_(clock),
      cancellation_(cancellation),
      rng_(rng),
      counters_(counters),
      stage_(stage),
      alertmanager_(settings.alertmanager),
      mock_slack_(settings.mock_slack, settings.mock_slack_token) {}

std::string Reconciler::call(const HttpPeer& peer, const char* method, const std::string& path,
                             const std::string* request_body, const Deadline& deadline,
                             std::string& body) {
  const std::string what = peer.describe(method, path);
  auto attempt = [&](std::chrono::milliseconds timeout) {
    HttpResult result = request_body == nullptr ? peer.get(path, timeout)
                                                : peer.post_json(path, *request_body, timeout);
    Attempt a = classify(result, what);
    if (a.kind == Attempt::Kind::ok) body = std::move(result.body);
    return a;
  };
  auto on_failure = [&](const Attempt& a, int number) {
    counters_.errors.fetch_add(1);
    log::warn("call failed", {{"peer", peer.url().to_string()},
                              {"attempt", number},
                              {"retry", a.kind == Attempt::Kind::transient},
                              {"error", a.error}});
  };
  RetryOutcome outcome = call_with_retry(attempt, settings_.backoff, deadline,
                                         settings_.request_timeout, clock_, rng_, on_failure);
  if (outcome.ok) return {};
  // A deadline that ran out before any attempt failed still counts as an error of the run.
  if (outcome.failed_attempts == 0) counters_.errors.fetch_add(1);
  return outcome.error.rfind(what, 0) == 0 ? outcome.error : what + ": " + outcome.error;
}

std::string Reconciler::inject_fault() {
  const nlohmann::json fields{{"fail_rate", settings_.fail_rate},
                              {"fail_mode", to_string(fault_.mode)}};
  switch (fault_.mode) {
    case FailMode::error:
      counters_.errors.fetch_add(1);
      return "injected failure (--fail-mode error)";
    case FailMode::hang:
      log::warn("injected hang: waiting for the deadline", fields);
      stage_.set("injected hang");
      cancellation_.wait();  // the deadline counts as the run's error
      return "injected hang (--fail-mode hang), cut by the deadline";
    case FailMode::crash:
      log::error("injected crash: aborting without a report", fields);
      log::shutdown();
      std::abort();
  }
  return "injected failure";
}

std::string Reconciler::run(const Deadline& deadline) {
  std::string body;
  stage_.set("reading alerts from Alertmanager");
  if (std::string e = call(alertmanager_, "GET", kAlertsPath, nullptr, deadline, body);
      !e.empty()) {
    return e;
  }
  std::string error;
  auto read = parse_alerts(body, error);
  if (!read) {
    counters_.errors.fetch_add(1);
    return alertmanager_.describe("GET", kAlertsPath) + ": " + error;
  }
  for (const auto& rejected : read->rejected) {
    counters_.errors.fetch_add(1);
    log::warn("alert skipped", {{"peer", alertmanager_.url().to_string()}, {"error", rejected}});
  }
  const json& alerts = read->alerts;
  counters_.alerts_read.store(alerts.size() + read->rejected.size());
  log::info("alerts read", {{"peer", alertmanager_.url().to_string()},
                            {"alerts", alerts.size()},
                            {"skipped", read->rejected.size()}});

  const auto batches = split_batches(alerts, settings_.batch_size);
  for (std::size_t i = 0; i < batches.size(); ++i) {
    stage_.set("syncing batch " + std::to_string(i + 1) + "/" + std::to_string(batches.size()));
    const std::string request = sync_request_body(batches[i]);
    if (std::string e = call(mock_slack_, "POST", kSyncPath, &request, deadline, body);
        !e.empty()) {
      return e;
    }
    auto counts = parse_sync_response(body, error);
    if (!counts) {
      counters_.errors.fetch_add(1);
      return mock_slack_.describe("POST", kSyncPath) + ": " + error;
    }
    counters_.records_processed.fetch_add(counts->received);
    counters_.records_new.fetch_add(counts->new_records);
    counters_.records_updated.fetch_add(counts->updated);
    log::debug("batch synced", {{"batch", i + 1},
                                {"batches", batches.size()},
                                {"received", counts->received},
                                {"new", counts->new_records},
                                {"updated", counts->updated}});
    if (i == 0 && fault_.inject) return inject_fault();
  }
  // With nothing to sync the drill failure still happens, before retention.
  if (batches.empty() && fault_.inject) return inject_fault();

  stage_.set("applying retention in mock-slack");
  const std::string empty_body = "{}";
  if (std::string e = call(mock_slack_, "POST", kRetentionPath, &empty_body, deadline, body);
      !e.empty()) {
    return e;
  }
  json pruned = json::parse(body, nullptr, false);
  if (pruned.is_object() && pruned.contains("pruned") && pruned["pruned"].is_number_unsigned()) {
    counters_.records_pruned.store(pruned["pruned"].get<std::uint64_t>());
  } else {
    counters_.errors.fetch_add(1);
    return mock_slack_.describe("POST", kRetentionPath) +
           ": the retention response has no non-negative integer \"pruned\"";
  }
  stage_.set("done");
  return {};
}

}  // namespace firedrill::batch_sync
