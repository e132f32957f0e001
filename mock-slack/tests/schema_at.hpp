#pragma once
// A SQLite database as an older mock-slack left it, for the migration tests: the schema's first
// migrations run by hand, and its version set to match.

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>

#include "../src/store/schema.hpp"

namespace mock_slack::testing {

/// Runs migrations 1 to `version` on `db` and sets PRAGMA user_version to `version`.
inline void migrate_by_hand(SQLite::Database& db, std::size_t version) {
  for (std::size_t v = 0; v < version; ++v) db.exec(std::string(schema::kMigrations.at(v)));
  db.exec("PRAGMA user_version = " + std::to_string(version));
}

}  // namespace mock_slack::testing
