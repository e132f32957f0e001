#pragma once
// The JSON shape of the read API's items (GET /api/v1/*, query_api.cpp). Pure functions;
// thread-safe. Internal to mock-slack.

#include <nlohmann/json.hpp>

#include "mock_slack/store.hpp"

namespace mock_slack {

nlohmann::json to_json(const Occurrence& o);
nlohmann::json to_json(const Incident& i);
nlohmann::json to_json(const Notification& n);
nlohmann::json to_json(const TimelineEvent& e);
nlohmann::json to_json(const IncidentDetail& d);
nlohmann::json to_json(const Message& m);
nlohmann::json to_json(const Channel& c);
nlohmann::json to_json(const Silence& s);

}  // namespace mock_slack
