// The Slack incoming-webhook message parser behind POST /slack/{channel*}.
#include "mock_slack/slack_message.hpp"

#include <stdexcept>

namespace mock_slack {

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

Message parse_slack_message(std::string_view body_text, std::string_view path_channel) {
  Message m;
  json body = json::parse(body_text, nullptr, false);
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
  if (!m.channel.empty() && m.channel.front() == '#') m.channel.erase(0, 1);
  if (m.channel.empty()) m.channel = path_channel;
  if (m.channel.size() > 255) throw std::invalid_argument("channel: longer than 255 bytes");
  return m;
}

}  // namespace mock_slack
