// GET /api/v1/alerts, /api/v1/incidents, /api/v1/incidents/{id}, /api/v1/messages,
// /api/v1/channels and /api/v1/silences: the history, newest first, paged with an opaque cursor.
#include <stdexcept>

#include "api_json.hpp"
#include "firedrill/duration.hpp"
#include "firedrill/text.hpp"
#include "mock_slack/incident_events.hpp"
#include "mock_slack/receiver.hpp"

namespace mock_slack {

namespace alerting = firedrill::alerting;
using firedrill::cut;
using firedrill::http::error_response;
using firedrill::http::json_response;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxLimit = 1000;

[[noreturn]] void bad(const char* param, const std::string& what) {
  throw std::invalid_argument(std::string(param) + ": " + what);
}

std::optional<TimePoint> time_param(const firedrill::http::Request& req, const char* name,
                                    TimePoint now) {
  auto v = req.query(name);
  if (!v) return std::nullopt;
  if (auto t = alerting::parse_time(*v); t && *t != alerting::kZeroTime) return *t;
  if (auto d = firedrill::parse_duration(*v)) {
    return now - std::chrono::duration_cast<std::chrono::nanoseconds>(*d);
  }
  bad(name,
      "expected an RFC 3339 time or a duration before now such as 1h, got \"" + cut(*v) + "\"");
}

std::size_t limit_param(const firedrill::http::Request& req) {
  auto v = req.query("limit");
  if (!v) return 100;
  const auto n = v->size() <= 4 ? firedrill::parse_decimal<std::size_t>(*v) : std::nullopt;
  if (!n || *n < 1 || *n > kMaxLimit) {
    bad("limit",
        "expected an integer from 1 to " + std::to_string(kMaxLimit) + ", got \"" + cut(*v) + "\"");
  }
  return *n;
}

std::optional<Cursor> cursor_param(const firedrill::http::Request& req) {
  auto v = req.query("cursor");
  if (!v) return std::nullopt;
  auto c = Cursor::parse(*v);
  if (!c) bad("cursor", "not a cursor returned by this API: \"" + cut(*v) + "\"");
  return c;
}

json page_json(const auto& page) {
  json data = json::array();
  for (const auto& item : page.items) data.push_back(to_json(item));
  return json{{"data", std::move(data)},
              {"nextCursor", page.next ? json(page.next->to_string()) : json(nullptr)}};
}

/// Answers a listing: the filter `parse` reads from the query (400 naming the parameter when it
/// throws std::invalid_argument), then the page `list` returns for it.
template <typename Parse, typename List>
void answer_page(httplib::Response& res, Parse&& parse, List&& list) {
  std::optional<decltype(parse())> filter;
  try {
    filter = parse();
  } catch (const std::invalid_argument& e) {
    error_response(res, 400, e.what());
    return;
  }
  json_response(res, 200, page_json(list(*filter)));
}

}  // namespace

AlertFilter parse_alert_filter(const firedrill::http::Request& req, TimePoint now) {
  AlertFilter f;
  if (auto s = req.query("status")) {
    if (*s != "firing" && *s != "resolved") {
      bad("status", "expected \"firing\" or \"resolved\", got \"" + cut(*s) + "\"");
    }
    f.status = *s;
  }
  f.alertname = req.query("alertname").value_or("");
  f.severity = req.query("severity").value_or("");
  f.receiver = req.query("receiver").value_or("");
  if (auto s = req.query("service"); s && !s->empty()) {
    f.matchers.emplace_back("service", alerting::MatchType::equal, *s);
  }
  const std::size_t n = req.http.get_param_value_count("matcher");
  for (std::size_t i = 0; i < n; ++i) {
    const std::string text = req.http.get_param_value("matcher", i);
    try {
      auto m = alerting::parse_matcher(text);
      if (m.name().find('"') != std::string::npos || m.name().find('\\') != std::string::npos) {
        bad("matcher", "label names containing '\"' or '\\' are not supported");
      }
      f.matchers.push_back(std::move(m));
    } catch (const alerting::MatcherError& e) {
      bad("matcher", e.what());
    }
  }
  f.since = time_param(req, "since", now);
  f.until = time_param(req, "until", now);
  if (f.since && f.until && *f.since > *f.until) bad("since", "is after until");
  f.limit = limit_param(req);
  f.cursor = cursor_param(req);
  return f;
}

void Receiver::list_alerts(const Request& req, Response& res) {
  answer_page(
      res, [&] { return parse_alert_filter(req, store_.now()); },
      [&](const AlertFilter& f) { return store_.alerts(f); });
}

void Receiver::list_incidents(const Request& req, Response& res) {
  answer_page(
      res, [&] { return parse_alert_filter(req, store_.now()); },
      [&](const AlertFilter& f) { return store_.incidents(f); });
}

void Receiver::get_incident(const Request& req, Response& res) {
  const std::string& text = req.params.at(0);
  const auto id = text.size() <= 18 ? firedrill::parse_decimal<std::int64_t>(text) : std::nullopt;
  if (!id) {
    error_response(res, 400, "id: expected a positive integer, got \"" + cut(text) + "\"");
    return;
  }
  auto d = store_.incident(*id);
  if (!d) {
    error_response(res, 404, "no incident " + text);
    return;
  }
  json body = to_json(*d);
  json events = json::array();
  for (const IncidentEvent& e : incident_events(store_, *d)) events.push_back(to_json(e));
  body["events"] = std::move(events);
  json_response(res, 200, body);
}

void Receiver::list_messages(const Request& req, Response& res) {
  answer_page(
      res,
      [&] {
        MessageFilter f;
        f.channel = req.query("channel").value_or("");
        if (!f.channel.empty() && f.channel.front() == '#') f.channel.erase(0, 1);
        f.limit = limit_param(req);
        f.cursor = cursor_param(req);
        return f;
      },
      [&](const MessageFilter& f) { return store_.messages(f); });
}

void Receiver::list_silences(const Request& req, Response& res) {
  answer_page(
      res,
      [&] {
        SilenceFilter f;
        if (auto s = req.query("state")) {
          if (*s != "active" && *s != "pending" && *s != "expired") {
            bad("state",
                "expected \"active\", \"pending\" or \"expired\", got \"" + cut(*s) + "\"");
          }
          f.state = *s;
        }
        f.limit = limit_param(req);
        f.cursor = cursor_param(req);
        return f;
      },
      [&](const SilenceFilter& f) { return store_.silences(f); });
}

void Receiver::list_channels(const Request&, Response& res) {
  json data = json::array();
  for (const auto& c : store_.channels()) data.push_back(to_json(c));
  json_response(res, 200, {{"data", std::move(data)}});
}

}  // namespace mock_slack
