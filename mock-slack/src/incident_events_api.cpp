// POST /api/v1/incident-events, POST and GET /api/v1/incidents/{id}/events: see
// incident_events.hpp. Each handler answers every error with a JSON body and never throws.
#include <memory>

#include "firedrill/alerting/payload.hpp"
#include "mock_slack/incident_events.hpp"

namespace mock_slack {

namespace {

using firedrill::http::error_response;
using firedrill::http::json_response;
using firedrill::http::Request;
using httplib::Response;
using nlohmann::json;

std::optional<std::int64_t> parse_id(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id > 0 ? std::optional(id) : std::nullopt;
}

class IncidentEventsApi {
 public:
  IncidentEventsApi(Store& store, const Credentials& write, const ReadCredentials& read)
      : store_(store), write_configured_(write.configured()), write_(write), read_(read) {}

  void post_keyed(const Request& req, Response& res) { post(req, res, std::nullopt); }

  void post_for_incident(const Request& req, Response& res) {
    auto id = parse_id(req.params.at(0));
    if (!id) {
      error_response(res, 400, "id: expected a positive integer");
      return;
    }
    post(req, res, id);
  }

  void list(const Request& req, Response& res) {
    if (!may_read(req, res)) return;
    auto id = parse_id(req.params.at(0));
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

 private:
  bool may_write(const Request& req, Response& res) const {
    if (!write_configured_) {
      error_response(res, 403,
                     "incident events are written with credentials: start mock-slack with "
                     "--webhook-token-file or --webhook-basic-auth");
      return false;
    }
    if (write_.allows(req.header("Authorization"))) return true;
    res.set_header("WWW-Authenticate", "Bearer realm=\"mock-slack\"");
    error_response(res, 401, "missing or invalid credentials");
    return false;
  }

  bool may_read(const Request& req, Response& res) const {
    const auto& header = read_.trusted_user_header();
    if (read_.allows(req.header("Authorization"),
                     header.empty() ? std::string() : req.header(header.c_str()))) {
      return true;
    }
    const auto& denial = read_.denial();
    if (!denial.challenge.empty()) res.set_header("WWW-Authenticate", denial.challenge);
    error_response(res, denial.status, denial.message);
    return false;
  }

  void post(const Request& req, Response& res, std::optional<std::int64_t> incident_id) {
    if (!may_write(req, res)) return;
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

  Store& store_;
  bool write_configured_;
  WebhookAuth write_;
  ReadAuth read_;
};

}  // namespace

void register_incident_event_routes(firedrill::Service& service, Store& store,
                                    const Credentials& write, const ReadCredentials& read) {
  // Shared by the handlers, which the service's listeners keep for as long as they run.
  auto api = std::make_shared<IncidentEventsApi>(store, write, read);
  auto& server = service.api();
  server.post(
      "/api/v1/incident-events",
      [api](const Request& req, Response& res) { api->post_keyed(req, res); }, 201);
  server.post(
      "/api/v1/incidents/{id}/events",
      [api](const Request& req, Response& res) { api->post_for_incident(req, res); }, 201);
  server.get("/api/v1/incidents/{id}/events",
             [api](const Request& req, Response& res) { api->list(req, res); });
}

}  // namespace mock_slack
