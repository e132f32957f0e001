#include "batch_sync/reconcile.hpp"

#include <algorithm>
#include <cstdlib>

#include "firedrill/alerting/payload.hpp"
#include "firedrill/alerting/time.hpp"
#include "firedrill/duration.hpp"
#include "firedrill/log.hpp"

namespace batch_sync {

using nlohmann::json;

std::string_view to_string(RecordKind kind) {
  return kind == RecordKind::alerts ? "alerts" : "silences";
}

namespace {

/// Checks each element of the JSON array `body` with `key_of`, which returns the record's sort key
/// or throws PayloadError naming the field.
template <typename KeyOf>
std::optional<RecordsRead> check_records(const std::string& body, RecordKind kind, KeyOf key_of,
                                         std::string& error) {
  const std::string what(to_string(kind));
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) {
    error = "the " + what + " response is not JSON";
    return std::nullopt;
  }
  if (!doc.is_array()) {
    error = "the " + what + " response is not a JSON array";
    return std::nullopt;
  }
  RecordsRead out;
  std::vector<std::pair<std::string, std::size_t>> order;  // (key, index in doc)
  for (std::size_t i = 0; i < doc.size(); ++i) {
    try {
      order.emplace_back(key_of(doc[i], what + "[" + std::to_string(i) + "]"), i);
    } catch (const alerting::PayloadError& e) {
      out.rejected.emplace_back(e.what());
    }
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [key, index] : order) out.records.push_back(std::move(doc[index]));
  return out;
}

}  // namespace

std::optional<RecordsRead> parse_alerts(const std::string& body, std::string& error) {
  return check_records(
      body, RecordKind::alerts,
      [](const json& a, const std::string& path) {
        return alerting::parse_gettable_alert(a, path).fingerprint;
      },
      error);
}

std::optional<RecordsRead> parse_silences(const std::string& body, std::string& error) {
  return check_records(
      body, RecordKind::silences,
      [](const json& s, const std::string& path) {
        return alerting::parse_gettable_silence(s, path).id;
      },
      error);
}

std::vector<json> split_batches(const json& records, std::size_t batch_size) {
  std::vector<json> batches;
  if (batch_size == 0) batch_size = 1;
  for (std::size_t start = 0; start < records.size(); start += batch_size) {
    json batch = json::array();
    const std::size_t end = std::min(records.size(), start + batch_size);
    for (std::size_t i = start; i < end; ++i) batch.push_back(records[i]);
    batches.push_back(std::move(batch));
  }
  return batches;
}

std::string sync_request_body(RecordKind kind, const json& batch) {
  return json{{"source", "alertmanager"}, {to_string(kind), batch}}.dump();
}

std::optional<SyncCounts> parse_sync_response(const std::string& body, RecordKind kind,
                                              std::string& error) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "the sync response is not a JSON object";
    return std::nullopt;
  }
  std::string prefix;
  if (kind == RecordKind::silences) {
    prefix = "silences.";
    json silences = doc.value("silences", json());
    if (!silences.is_object()) {
      error = "the sync response has no \"silences\" object";
      return std::nullopt;
    }
    doc = std::move(silences);
  }
  SyncCounts counts;
  for (auto [key, target] : {std::pair<const char*, std::uint64_t*>{"received", &counts.received},
                             {"new", &counts.new_records},
                             {"updated", &counts.updated}}) {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_number_unsigned()) {
      error = "the sync response has no non-negative integer \"" + prefix + key + "\"";
      return std::nullopt;
    }
    *target = it->get<std::uint64_t>();
  }
  return counts;
}

std::string sweep_request_body(std::chrono::system_clock::time_point listed_at,
                               std::chrono::milliseconds grace) {
  return json{
      {"source", "alertmanager"},
      {"listedAt", alerting::format_time(
                       std::chrono::time_point_cast<alerting::TimePoint::duration>(listed_at))},
      {"graceSeconds", std::chrono::duration<double>(grace).count()}}
      .dump();
}

std::optional<std::uint64_t> parse_sweep_response(const std::string& body, std::string& error) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    error = "the sweep response is not a JSON object";
    return std::nullopt;
  }
  auto it = doc.find("resolved");
  if (it == doc.end() || !it->is_number_unsigned()) {
    error = "the sweep response has no non-negative integer \"resolved\"";
    return std::nullopt;
  }
  return it->get<std::uint64_t>();
}

std::optional<std::chrono::system_clock::time_point> parse_started_at(const std::string& body,
                                                                      std::string& error) {
  json doc = json::parse(body, nullptr, false);
  std::optional<alerting::TimePoint> t;
  if (doc.is_object() && doc.contains("uptime") && doc["uptime"].is_string()) {
    t = alerting::parse_time(doc["uptime"].get<std::string>());
  }
  if (!t || *t == alerting::kZeroTime) {
    error = "the status response has no RFC 3339 \"uptime\" (when Alertmanager started)";
    return std::nullopt;
  }
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(*t);
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
                       RunStage& stage, WallClock wall_clock)
    : settings_(settings),
      fault_(fault),
      clock_(clock),
      cancellation_(cancellation),
      rng_(rng),
      counters_(counters),
      stage_(stage),
      wall_clock_(std::move(wall_clock)),
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

std::string Reconciler::read_records(RecordKind kind, const Deadline& deadline,
                                     RecordsRead& records) {
  const bool alerts = kind == RecordKind::alerts;
  const char* path = alerts ? kAlertsPath : kSilencesPath;
  const std::string what(to_string(kind));
  stage_.set("reading " + what + " from Alertmanager");
  std::string body;
  if (std::string e = call(alertmanager_, "GET", path, nullptr, deadline, body); !e.empty()) {
    return e;
  }
  std::string error;
  auto parsed = alerts ? parse_alerts(body, error) : parse_silences(body, error);
  if (!parsed) {
    counters_.errors.fetch_add(1);
    return alertmanager_.describe("GET", path) + ": " + error;
  }
  const char* skipped = alerts ? "alert skipped" : "silence skipped";
  for (const auto& rejected : parsed->rejected) {
    counters_.errors.fetch_add(1);
    log::warn(skipped, {{"peer", alertmanager_.url().to_string()}, {"error", rejected}});
  }
  (alerts ? counters_.alerts_read : counters_.silences_read)
      .store(parsed->records.size() + parsed->rejected.size());
  log::info(what + " read", {{"peer", alertmanager_.url().to_string()},
                             {what, parsed->records.size()},
                             {"skipped", parsed->rejected.size()}});
  records = std::move(*parsed);
  return {};
}

std::string Reconciler::sweep(std::chrono::system_clock::time_point listed_at,
                              const Deadline& deadline) {
  // A restarted Alertmanager lists only what Prometheus has resent since: wait the grace out.
  stage_.set("reading Alertmanager's status");
  std::string body;
  if (std::string e = call(alertmanager_, "GET", kStatusPath, nullptr, deadline, body);
      !e.empty()) {
    return e;
  }
  std::string error;
  auto started = parse_started_at(body, error);
  if (!started) {
    counters_.errors.fetch_add(1);
    return alertmanager_.describe("GET", kStatusPath) + ": " + error;
  }
  if (listed_at - *started < settings_.resolve_grace) {
    counters_.sweep_skipped.store(true);
    log::info("not sweeping: Alertmanager started less than --resolve-grace before the listing",
              {{"alertmanager_started_at",
                alerting::format_time(
                    std::chrono::time_point_cast<alerting::TimePoint::duration>(*started))},
               {"resolve_grace", format_duration(settings_.resolve_grace)}});
    return {};
  }
  stage_.set("sweeping what Alertmanager no longer lists");
  const std::string request = sweep_request_body(listed_at, settings_.resolve_grace);
  if (std::string e = call(mock_slack_, "POST", kSweepPath, &request, deadline, body); !e.empty()) {
    return e;
  }
  auto resolved = parse_sweep_response(body, error);
  if (!resolved) {
    counters_.errors.fetch_add(1);
    return mock_slack_.describe("POST", kSweepPath) + ": " + error;
  }
  counters_.records_resolved.store(*resolved);
  log::info("swept what Alertmanager no longer lists",
            {{"peer", mock_slack_.url().to_string()},
             {"resolved", *resolved},
             {"resolve_grace", std::chrono::duration<double>(settings_.resolve_grace).count()}});
  return {};
}

std::string Reconciler::run(const Deadline& deadline) {
  // Before the listing: an occurrence synced after this time was listed by this run.
  const auto listed_at = wall_clock_();
  RecordsRead alerts;
  if (std::string e = read_records(RecordKind::alerts, deadline, alerts); !e.empty()) return e;
  RecordsRead silences;
  if (settings_.silences) {
    if (std::string e = read_records(RecordKind::silences, deadline, silences); !e.empty()) {
      return e;
    }
  }

  // Each request carries one kind. mock-slack links silences to alerts when it is queried, so the
  // order does not matter; alerts go first, as they did before silences were synced.
  std::vector<std::pair<RecordKind, json>> batches;
  for (const auto& [kind, read] : {std::pair{RecordKind::alerts, &alerts.records},
                                   std::pair{RecordKind::silences, &silences.records}}) {
    for (auto& batch : split_batches(*read, settings_.batch_size)) {
      batches.emplace_back(kind, std::move(batch));
    }
  }
  std::string body;
  std::string error;
  for (std::size_t i = 0; i < batches.size(); ++i) {
    const auto& [kind, batch] = batches[i];
    stage_.set("syncing batch " + std::to_string(i + 1) + "/" + std::to_string(batches.size()));
    const std::string request = sync_request_body(kind, batch);
    if (std::string e = call(mock_slack_, "POST", kSyncPath, &request, deadline, body);
        !e.empty()) {
      return e;
    }
    auto counts = parse_sync_response(body, kind, error);
    if (!counts) {
      counters_.errors.fetch_add(1);
      return mock_slack_.describe("POST", kSyncPath) + ": " + error;
    }
    counters_.records_processed.fetch_add(counts->received);
    counters_.records_new.fetch_add(counts->new_records);
    counters_.records_updated.fetch_add(counts->updated);
    log::debug("batch synced", {{"batch", i + 1},
                                {"batches", batches.size()},
                                {"kind", to_string(kind)},
                                {"received", counts->received},
                                {"new", counts->new_records},
                                {"updated", counts->updated}});
    if (i == 0 && fault_.inject) return inject_fault();
  }
  // With nothing to sync the drill failure still happens, before retention.
  if (batches.empty() && fault_.inject) return inject_fault();

  // Every batch succeeded: what the listing did not hold has resolved. Unless an alert was left
  // out as malformed: it would look resolved.
  if (settings_.resolve_grace.count() > 0) {
    if (!alerts.rejected.empty()) {
      counters_.sweep_skipped.store(true);
      log::warn("not sweeping: alerts were left out of this run",
                {{"skipped", alerts.rejected.size()}});
    } else if (std::string e = sweep(listed_at, deadline); !e.empty()) {
      return e;
    }
  }

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

}  // namespace batch_sync
