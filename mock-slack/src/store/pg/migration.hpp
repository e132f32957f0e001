#pragma once
// Brings a PostgreSQL database to the schema this build writes (schema.hpp), one transaction per
// migration, under an advisory lock the server holds, so that replicas starting together migrate
// once: the others wait, then find nothing to do. The version is the one row of
// mockslack_schema. Internal to mock-slack's store.

#include "connection.hpp"

namespace mock_slack::pg {

/// Runs the migrations the database lacks; returns the version it is at. Throws
/// std::runtime_error when the database was written by a newer mock-slack, Error when a
/// migration fails (it leaves nothing behind).
int migrate(Connection& c);

/// The schema version the database is at (0: never migrated).
int schema_version(Connection& c);

}  // namespace mock_slack::pg
