// POST /api/v1/incident-events, POST and GET /api/v1/incidents/{id}/events (rows of routes.cpp's
// table; tests/incident_events_test.cpp): see incident_events.hpp. Each handler answers every
// error with a JSON body and never throws.
#include "firedrill/alerting/payload.hpp"
#include "firedrill/text.hpp"
#include "mock_slack/incident_events.hpp"
#include "mock_slack/receiver.hpp"

namespace mock_slack {

namespace {

using firedrill::http::error_response;
using firedrill::http::json_response;
using nlohmann::json;

/// A positive decimal id of at most 18 digits, or nullopt.
std::optional<std::int64_t> parse_event_incident_id(const std::string& text) {
  const auto id = text.size() <= 18 ? firedrill::parse_decimal<std::int64_t>(text) : std::nullopt;
  return id && *id > 0 ? id : std::nullopt;
}

}  // namespace

void Receiver::post_incident_event(const Request& req, Response& res) {
  add_event(req, res, std::nullopt);
}

void Receiver::post_event_of_incident(const Request& req, Response& res) {
  auto id = parse_event_incident_id(req.params.at(0));
  if (!id) {
    error_response(res, 400, "id: expected a positive integer");
    return;
  }
  add_event(req, res, id);
}

void Receiver::list_incident_events(const Request& req, Response& res) {
  auto id = parse_event_incident_id(req.params.at(0));
  if (!id) {
    error_response(res, 400, "id: expected a positive integer");
    return;
  }
  try {
    auto detail = store_.incident(*id);
    if (!detail) {
      error_response(res, 404, "no incident " + req.params.at(0));
      return;
    }
    json events = json::array();
    for (const auto& e : incident_events(store_, *detail)) events.push_back(to_json(e));
    json_response(res, 200, json{{"incidentId", *id}, {"events", events}});
  } catch (const StoreUnavailable& e) {
    error_response(res, 503, e.what());
  }
}

void Receiver::add_event(const Request& req, Response& res,
                         std::optional<std::int64_t> incident_id) {
  // Unlike the webhook, events are never written without credentials.
  if (!options_.credentials.configured()) {
    error_response(res, 403,
                   "incident events are written with credentials: start mock-slack with "
                   "--webhook-token-file or --webhook-basic-auth");
    return;
  }
  if (!auth_.allows(req.header("Authorization"))) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"mock-slack\"");
    error_response(res, 401, "missing or invalid credentials");
    return;
  }
  json body;
  try {
    body = firedrill::alerting::parse_json_body(req.body());
  } catch (const firedrill::alerting::PayloadError& e) {
    error_response(res, 400, e.what());
    return;
  }
  try {
    IncidentEvent event = parse_incident_event(body, incident_id, store_.now());
    if (event.incident_id && !store_.incident(*event.incident_id)) {
      error_response(res, 404, "no incident " + std::to_string(*event.incident_id));
      return;
    }
    json_response(res, 201, to_json(add_incident_event(store_, std::move(event))));
  } catch (const std::invalid_argument& e) {
    error_response(res, 400, e.what());
  } catch (const StoreUnavailable& e) {
    error_response(res, 503, e.what());
  }
}

}  // namespace mock_slack
