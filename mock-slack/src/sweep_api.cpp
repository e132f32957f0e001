// POST /api/v1/sync/sweep: batch-sync's last call of a complete run, after every batch of it was
// synced. The store resolves the firing occurrences the run did not list and that nothing saw
// active within the grace (Store::sweep, store/sweep.cpp). A run that failed never calls it.
#include <cmath>

#include "firedrill/log.hpp"
#include "mock_slack/receiver.hpp"
#include "mock_slack/watchdog.hpp"

namespace mock_slack {

namespace alerting = firedrill::alerting;
using firedrill::http::json_response;
using nlohmann::json;

namespace {

/// The longest grace a sweep takes: a week. Beyond that the request is a mistake (units?).
constexpr double kMaxGraceSeconds = 7 * 24 * 3600.0;
/// How far ahead of mock-slack's clock a listing time may be (clock skew) before it is refused.
constexpr auto kMaxListedAhead = std::chrono::minutes(1);

struct SweepRequest {
  TimePoint listed_at{};
  std::chrono::nanoseconds grace{};
};

/// Throws PayloadError naming the field.
SweepRequest parse_sweep(const std::string& body, TimePoint now) {
  const json doc = alerting::parse_json_body(body);
  if (!doc.is_object()) {
    throw alerting::PayloadError(std::string("payload: expected a JSON object, got ") +
                                 (doc.is_number() ? "number" : doc.type_name()));
  }
  auto source = doc.find("source");
  if (source == doc.end()) throw alerting::PayloadError("source: required field is missing");
  if (!source->is_string() || *source != "alertmanager") {
    throw alerting::PayloadError("source: expected \"alertmanager\"");
  }
  SweepRequest r;
  auto listed = doc.find("listedAt");
  if (listed == doc.end()) throw alerting::PayloadError("listedAt: required field is missing");
  std::optional<TimePoint> t;
  if (listed->is_string()) t = alerting::parse_time(listed->get<std::string>());
  if (!t || *t == alerting::kZeroTime) {
    throw alerting::PayloadError(
        "listedAt: expected an RFC 3339 time, the time the run read Alertmanager's alerts");
  }
  if (*t > now + kMaxListedAhead) {
    throw alerting::PayloadError("listedAt: " + listed->get<std::string>() +
                                 " is ahead of mock-slack's clock (" + alerting::format_time(now) +
                                 ") by more than a minute");
  }
  r.listed_at = *t;
  auto grace = doc.find("graceSeconds");
  if (grace == doc.end()) throw alerting::PayloadError("graceSeconds: required field is missing");
  if (!grace->is_number() || !std::isfinite(grace->get<double>()) || grace->get<double>() <= 0 ||
      grace->get<double>() > kMaxGraceSeconds) {
    throw alerting::PayloadError(
        "graceSeconds: expected a number of seconds above 0 and at most 604800 (a week)");
  }
  r.grace = std::chrono::nanoseconds(static_cast<std::int64_t>(grace->get<double>() * 1e9));
  return r;
}

}  // namespace

void Receiver::sweep(const Request& req, Response& res) {
  if (!authorized(req, res)) return;
  if (!json_body(req, res,
                 "{\"source\": \"alertmanager\", \"listedAt\": ..., \"graceSeconds\": ...}")) {
    return;
  }
  SweepRequest request;
  try {
    request = parse_sweep(req.body(), store_.now());
  } catch (const alerting::PayloadError& e) {
    const std::string what = e.what();
    reject(res, 400, what.starts_with("malformed JSON") ? "malformed_json" : "invalid_payload",
           what);
    return;
  }
  SweepResult r;
  try {
    // The watchdog's own incident is not Alertmanager's: heartbeats close it.
    r = store_.sweep(request.listed_at, request.grace, {std::string(kSilentReceiver)});
  } catch (const StoreUnavailable& e) {
    reject(res, 503, "storage_unavailable", e.what());
    return;
  }
  const double grace_seconds = std::chrono::duration<double>(request.grace).count();
  if (r.resolved_occurrences > 0) {
    firedrill::log::info("sweep resolved occurrences Alertmanager no longer lists",
                         {{"occurrences", r.resolved_occurrences},
                          {"incidents", r.resolved_incidents},
                          {"listed_at", alerting::format_time(request.listed_at)},
                          {"grace_seconds", grace_seconds}});
  }
  json_response(res, 200,
                {{"resolved", r.resolved_occurrences},
                 {"incidentsResolved", r.resolved_incidents},
                 {"listedAt", alerting::format_time(request.listed_at)},
                 {"graceSeconds", grace_seconds}});
}

}  // namespace mock_slack
