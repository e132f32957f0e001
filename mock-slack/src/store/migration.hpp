#pragma once
// Brings a database to the schema this build writes (schema.hpp), one transaction per migration.
// Internal to mock-slack's store.

#include <SQLiteCpp/SQLiteCpp.h>

namespace mock_slack::schema {

/// Runs the migrations the database lacks. Throws std::runtime_error naming the file when the
/// database was written by a newer mock-slack; SQLite::Exception when a migration fails (the
/// failing migration leaves nothing behind).
void migrate(SQLite::Database& db);

}  // namespace mock_slack::schema
