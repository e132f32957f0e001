// POST /webhook (Alertmanager webhook v4), POST /api/v1/sync and POST /api/v1/retention, and
// what every route of the table (routes.cpp) shares: credentials, media type, rejections.
#include <prometheus/counter.h>
#include <prometheus/family.h>

#include "firedrill/log.hpp"
#include "mock_slack/receiver.hpp"

namespace mock_slack {

namespace alerting = firedrill::alerting;
using firedrill::http::error_response;
using firedrill::http::json_response;
using nlohmann::json;

namespace {

bool json_media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  std::string_view media = content_type.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  while (!media.empty() && media.front() == ' ') media.remove_prefix(1);
  std::string lower(media);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/json" || (lower.size() > 5 && lower.ends_with("+json"));
}

}  // namespace

Receiver::Receiver(firedrill::Service& service, Store& store, ReceiverOptions options,
                   Watchdog* watchdog)
    : store_(store),
      watchdog_(watchdog),
      options_(std::move(options)),
      auth_(options_.credentials),
      read_auth_(options_.read),
      csrf_(options_.random),
      sli_cache_(options_.pages.sli_cache_ttl, 256, [&store] { return store.now(); }),
      notifications_(prometheus::BuildCounter()
                         .Name("mockslack_notifications_received_total")
                         .Help("Webhook notifications stored, by receiver and status")
                         .Register(service.metrics().registry())),
      rejected_(prometheus::BuildCounter()
                    .Name("mockslack_webhook_rejected_total")
                    .Help("Requests to the write endpoints answered with an error, by reason")
                    .Register(service.metrics().registry())) {
  for (const char* reason : {"unauthorized", "unsupported_media_type", "malformed_json",
                             "invalid_payload", "storage_unavailable"}) {
    rejected_.Add({{"reason", reason}});
  }
  register_routes(service);
}

bool Receiver::may_read(const Request& req, Response& res, bool as_page) const {
  const auto& header = read_auth_.trusted_user_header();
  if (read_auth_.allows(req.header("Authorization"),
                        header.empty() ? std::string() : req.header(header.c_str()))) {
    return true;
  }
  const auto& denial = read_auth_.denial();
  if (!denial.challenge.empty()) res.set_header("WWW-Authenticate", denial.challenge);
  if (as_page) {
    page_failure(res, denial.status, "Sign-in required", denial.message);
  } else {
    error_response(res, denial.status, denial.message);
  }
  return false;
}

void Receiver::reject(Response& res, int status, const std::string& reason,
                      std::string_view message) {
  rejected_.Add({{"reason", reason}}).Increment();
  error_response(res, status, message);
}

bool Receiver::authorized(const Request& req, Response& res) {
  if (auth_.allows(req.header("Authorization"))) return true;
  res.set_header("WWW-Authenticate", options_.credentials.bearer_token.empty()
                                         ? "Basic realm=\"mock-slack\""
                                         : "Bearer realm=\"mock-slack\"");
  reject(res, 401, "unauthorized", "missing or invalid credentials");
  return false;
}

bool Receiver::json_body(const Request& req, Response& res, const char* expected) {
  const std::string content_type = req.header("Content-Type");
  if (!content_type.empty() && !json_media_type(content_type)) {
    reject(res, 415, "unsupported_media_type",
           "Content-Type must be application/json, got \"" + content_type.substr(0, 64) + "\"");
    return false;
  }
  if (req.body().empty()) {
    reject(res, 400, "malformed_json", std::string("empty body: expected ") + expected);
    return false;
  }
  return true;
}

prometheus::Counter& Receiver::notifications(const std::string& receiver, std::string_view status) {
  std::string label = receiver;
  {
    std::lock_guard lock(receivers_mutex_);
    if (!receivers_seen_.contains(receiver)) {
      if (receivers_seen_.size() < options_.max_receiver_labels) {
        receivers_seen_.insert(receiver);
      } else {
        label = "other";
      }
    }
  }
  return notifications_.Add({{"receiver", label}, {"status", std::string(status)}});
}

void Receiver::webhook(const Request& req, Response& res) {
  if (!authorized(req, res)) return;
  if (!json_body(req, res, "an Alertmanager webhook payload (JSON)")) return;
  alerting::WebhookNotification n;
  try {
    n = alerting::parse_webhook(req.body(), options_.limits);
  } catch (const alerting::PayloadError& e) {
    const std::string what = e.what();
    reject(res, 400, what.starts_with("malformed JSON") ? "malformed_json" : "invalid_payload",
           what);
    return;
  }
  IngestResult r;
  try {
    r = store_.ingest(n, sha256_hex(req.body()));
  } catch (const StoreUnavailable& e) {
    reject(res, 503, "storage_unavailable", e.what());
    return;
  }
  notifications(n.receiver, alerting::to_string(n.status)).Increment();
  json_response(res, 200,
                {{"status", "stored"},
                 {"notification", r.notification_id},
                 {"incident", r.incident_id != 0 ? json(r.incident_id) : json(nullptr)},
                 {"alerts",
                  {{"new", r.new_occurrences},
                   {"updated", r.updated_occurrences},
                   {"duplicate", r.duplicate_occurrences}}}});
}

void Receiver::sync(const Request& req, Response& res) {
  if (!authorized(req, res)) return;
  if (!json_body(req, res, "{\"source\": ..., \"alerts\": [...], \"silences\": [...]}")) return;
  std::vector<alerting::GettableAlert> alerts;
  std::vector<alerting::GettableSilence> silences;
  try {
    const json body = alerting::parse_json_body(req.body());
    if (!body.is_object()) {
      throw alerting::PayloadError(std::string("payload: expected a JSON object, got ") +
                                   (body.is_number() ? "number" : body.type_name()));
    }
    auto source = body.find("source");
    if (source == body.end()) throw alerting::PayloadError("source: required field is missing");
    if (!source->is_string() || *source != "alertmanager") {
      throw alerting::PayloadError("source: expected \"alertmanager\"");
    }
    // Either list may be left out (batch-sync sends each in requests of its own), not both.
    auto alert_list = body.find("alerts");
    auto silence_list = body.find("silences");
    if (alert_list == body.end() && silence_list == body.end()) {
      throw alerting::PayloadError("payload: expected \"alerts\", \"silences\" or both");
    }
    if (alert_list != body.end()) {
      alerts = alerting::parse_gettable_alerts(*alert_list, "alerts", options_.limits);
    }
    if (silence_list != body.end()) {
      silences = alerting::parse_gettable_silences(*silence_list, "silences", options_.limits);
    }
  } catch (const alerting::PayloadError& e) {
    const std::string what = e.what();
    reject(res, 400, what.starts_with("malformed JSON") ? "malformed_json" : "invalid_payload",
           what);
    return;
  }
  SyncResult r;
  try {
    r = store_.sync(alerts, silences);
  } catch (const StoreUnavailable& e) {
    reject(res, 503, "storage_unavailable", e.what());
    return;
  }
  json_response(res, 200,
                {{"received", r.received},
                 {"new", r.new_occurrences},
                 {"updated", r.updated_occurrences},
                 {"incidents",
                  {{"joined", r.joined_incidents},
                   {"opened", r.opened_incidents},
                   {"resolved", r.resolved_incidents}}},
                 {"silences",
                  {{"received", r.silences.received},
                   {"new", r.silences.new_silences},
                   {"updated", r.silences.updated_silences}}}});
}

void log_retention(const RetentionResult& r) {
  if (!r.ran) {
    firedrill::log::info("retention left to another replica, which is applying it", {});
    return;
  }
  firedrill::log::info("retention applied", {{"occurrences", r.occurrences},
                                             {"incidents", r.incidents},
                                             {"notifications", r.notifications},
                                             {"messages", r.messages},
                                             {"silences", r.silences}});
}

void Receiver::retention(const Request& req, Response& res) {
  if (!authorized(req, res)) return;
  RetentionResult r;
  try {
    r = store_.apply_retention();
  } catch (const StoreUnavailable& e) {
    reject(res, 503, "storage_unavailable", e.what());
    return;
  }
  log_retention(r);
  json_response(res, 200,
                {{"ran", r.ran},
                 {"pruned", r.occurrences},
                 {"incidents", r.incidents},
                 {"notifications", r.notifications},
                 {"messages", r.messages},
                 {"silences", r.silences}});
}

}  // namespace mock_slack
