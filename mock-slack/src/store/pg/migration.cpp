// PostgreSQL migrations (migration.hpp).
#include "migration.hpp"

#include <string>

#include "../schema.hpp"
#include "firedrill/log.hpp"
#include "schema.hpp"

namespace mock_slack::pg {

static_assert(schema::kMigrations.size() == mock_slack::schema::kMigrations.size(),
              "both back ends have the same migrations");

namespace {

/// The advisory lock key of migrations: "mockslak" in ASCII, unlikely to be another tool's.
constexpr const char* kMigrationLock = "SELECT pg_advisory_lock(7885631463830204779)";
constexpr const char* kMigrationUnlock = "SELECT pg_advisory_unlock(7885631463830204779)";

/// Holds the session's migration lock; releases it on every way out.
class MigrationLock {
 public:
  explicit MigrationLock(Connection& c) : c_(c) { c_.exec(kMigrationLock); }
  ~MigrationLock() {
    try {
      c_.exec(kMigrationUnlock);
    } catch (const Error&) {
      // A broken connection has released it with the session.
    }
  }
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  Connection& c_;
};

}  // namespace

int schema_version(Connection& c) {
  const Result exists = c.exec("SELECT to_regclass('mockslack_schema') IS NOT NULL");
  if (exists.text(0, 0) != "t") return 0;
  const Result r = c.exec("SELECT version FROM mockslack_schema");
  return r.rows() == 0 ? 0 : static_cast<int>(r.int64(0, 0));
}

int migrate(Connection& c) {
  MigrationLock lock(c);
  c.exec(
      "CREATE TABLE IF NOT EXISTS mockslack_schema (singleton BOOLEAN PRIMARY KEY DEFAULT TRUE "
      "CHECK (singleton), version INTEGER NOT NULL)");
  c.exec("INSERT INTO mockslack_schema (version) VALUES (0) ON CONFLICT DO NOTHING");
  const int version = schema_version(c);
  if (version > static_cast<int>(schema::kMigrations.size())) {
    throw std::runtime_error("database " + redact(c.conninfo()) + " has schema version " +
                             std::to_string(version) + ", newer than this mock-slack (" +
                             std::to_string(schema::kMigrations.size()) + ")");
  }
  for (auto v = static_cast<std::size_t>(version); v < schema::kMigrations.size(); ++v) {
    Transaction tx(c);
    c.exec(schema::kMigrations[v]);
    c.exec("UPDATE mockslack_schema SET version = $1",
           Params().add(static_cast<std::int64_t>(v + 1)));
    tx.commit();
    firedrill::log::info("database migrated", {{"db", redact(c.conninfo())}, {"version", v + 1}});
  }
  return static_cast<int>(schema::kMigrations.size());
}

}  // namespace mock_slack::pg
