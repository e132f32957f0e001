#include "migration.hpp"

#include <stdexcept>
#include <string>

#include "firedrill/log.hpp"
#include "mock_slack/store.hpp"
#include "schema.hpp"

namespace mock_slack::schema {

static_assert(kMigrations.size() == static_cast<std::size_t>(kSchemaVersion),
              "kSchemaVersion is the number of migrations");

void migrate(SQLite::Database& db) {
  int version = db.execAndGet("PRAGMA user_version").getInt();
  if (version > static_cast<int>(kMigrations.size())) {
    throw std::runtime_error("database " + db.getFilename() + " has schema version " +
                             std::to_string(version) + ", newer than this mock-slack (" +
                             std::to_string(kMigrations.size()) + ")");
  }
  for (auto v = static_cast<std::size_t>(version); v < kMigrations.size(); ++v) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    db.exec(std::string(kMigrations[v]));
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    tx.commit();
    firedrill::log::info("database migrated", {{"db", db.getFilename()}, {"version", v + 1}});
  }
}

}  // namespace mock_slack::schema
