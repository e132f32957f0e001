// POST /slack/{channel*}: Slack incoming-webhook messages, as Alertmanager's slack_configs sends
// them. Answers "ok" like Slack does. Needs the webhook's credentials when they are set
// (Alertmanager sends them through the slack_config's http_config).
#include "mock_slack/receiver.hpp"

namespace mock_slack {

using firedrill::http::error_response;
using nlohmann::json;

namespace {

std::string type_name(const json& j) { return j.is_number() ? "number" : j.type_name(); }

std::string optional_string(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string()) {
    throw std::invalid_argument(std::string(name) + ": expected a string, got " + type_name(*it));
  }
  return it->get<std::string>();
}

json optional_array(const json& body, const char* name, bool of_objects) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return json::array();
  if (!it->is_array()) {
    throw std::invalid_argument(std::string(name) + ": expected an array, got " + type_name(*it));
  }
  if (of_objects) {
    for (std::size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_object()) {
        throw std::invalid_argument(std::string(name) + "[" + std::to_string(i) +
                                    "]: expected an object, got " + type_name((*it)[i]));
      }
    }
  }
  return *it;
}

bool optional_bool(const json& body, const char* name, bool fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) {
    throw std::invalid_argument(std::string(name) + ": expected a boolean, got " + type_name(*it));
  }
  return it->get<bool>();
}

}  // namespace

void Receiver::slack(const Request& req, Response& res) {
  if (!authorized(req, res)) return;
  if (!json_body(req, res, "a Slack message (JSON)")) return;
  Message m;
  try {
    json body = json::parse(req.body(), nullptr, false);
    if (body.is_discarded()) throw std::invalid_argument("malformed JSON");
    if (!body.is_object()) {
      throw std::invalid_argument("payload: expected a JSON object, got " + type_name(body));
    }
    m.channel = optional_string(body, "channel");
    m.username = optional_string(body, "username");
    m.text = optional_string(body, "text");
    m.icon_emoji = optional_string(body, "icon_emoji");
    m.icon_url = optional_string(body, "icon_url");
    m.attachments = optional_array(body, "attachments", true);
    m.blocks = optional_array(body, "blocks", true);
    m.mrkdwn = optional_bool(body, "mrkdwn", true);
    if (m.text.empty() && m.attachments.empty() && m.blocks.empty()) {
      throw std::invalid_argument("text: required when there are no attachments or blocks");
    }
  } catch (const std::invalid_argument& e) {
    error_response(res, 400, e.what());
    return;
  }
  if (!m.channel.empty() && m.channel.front() == '#') m.channel.erase(0, 1);
  if (m.channel.empty()) m.channel = req.params.at(0);
  if (m.channel.size() > 255) {
    error_response(res, 400, "channel: longer than 255 bytes");
    return;
  }
  try {
    store_.add_message(m);
  } catch (const StoreUnavailable& e) {
    error_response(res, 503, e.what());
    return;
  }
  res.status = 200;
  res.set_content("ok", "text/plain");
}

}  // namespace mock_slack
