#pragma once
// Shared by the store's tests (tests/store/*_test.cpp): notifications, silences and alerts as the
// real Alertmanager sends them, and a trigger that makes one insert fail.

#include <SQLiteCpp/SQLiteCpp.h>

#include "../helpers.hpp"
#include "mock_slack/store.hpp"

namespace mock_slack::testing {

inline alerting::WebhookNotification make(const std::string& group, int first, int count) {
  json alerts = json::array();
  for (int i = 0; i < count; ++i) {
    alerts.push_back(alert("A", "firing", "2026-11-21T22:00:00Z", "0001-01-01T00:00:00Z",
                           {{"instance", "host-" + std::to_string(first + i)}}));
  }
  return alerting::parse_webhook_json(notification(group, "firing", alerts));
}

inline std::vector<alerting::GettableSilence> silences(std::initializer_list<json> list) {
  return alerting::parse_gettable_silences(json(list));
}

inline std::vector<alerting::GettableAlert> gettable_alerts(std::initializer_list<json> list) {
  return alerting::parse_gettable_alerts(json(list));
}

inline Silence only_silence(const Store& s) {
  auto page = s.silences({});
  REQUIRE(page.items.size() == 1);
  return page.items[0];
}

/// Makes the store's next insert of an occurrence with this instance label fail (half-way
/// through a notification when it is not the first alert).
inline void refuse_instance(const std::string& db_path, const std::string& instance) {
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
  db.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON occurrences WHEN json_extract(NEW.labels, "
      "'$.instance') = '" +
      instance + "' BEGIN SELECT RAISE(ABORT, 'refused'); END");
}

}  // namespace mock_slack::testing
