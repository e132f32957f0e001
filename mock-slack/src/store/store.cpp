// Store: opening, the write entry points (queued to the group commit), and the cursor.
#include "mock_slack/store.hpp"

#include "db/db.hpp"
#include "firedrill/text.hpp"
#include "pg/connection.hpp"
#include "sqlite.hpp"
#include "store_impl.hpp"
#include "writer.hpp"

namespace mock_slack {

namespace alerting = firedrill::alerting;

bool is_postgres(std::string_view location) {
  return location.starts_with("postgres://") || location.starts_with("postgresql://");
}

std::string printable_location(std::string_view location) {
  return is_postgres(location) ? pg::redact(location) : std::string(location);
}

// ---- Cursor -----------------------------------------------------------------------------------

std::string Cursor::to_string() const { return std::to_string(time_ns) + "-" + std::to_string(id); }

std::optional<Cursor> Cursor::parse(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == text.size()) return std::nullopt;
  auto number = [](std::string_view s) { return firedrill::parse_decimal<std::int64_t>(s); };
  auto t = number(text.substr(0, dash));
  auto i = number(text.substr(dash + 1));
  if (!t || !i) return std::nullopt;
  return Cursor{*t, *i};
}

Store::Store(StoreOptions options, Clock clock, prometheus::Registry* registry)
    : options_(std::move(options)), clock_(clock) {
  try {
    impl_ = std::make_unique<Impl>(options_, clock_, registry);
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("cannot open database " + options_.path + ": " + e.what());
  } catch (const db::Error& e) {
    throw std::runtime_error(std::string("cannot open database: ") + e.what());
  } catch (const pg::Error& e) {
    // pg::Error's message names the server without its password.
    throw std::runtime_error(std::string("cannot open database: ") + e.what());
  }
}

Store::~Store() = default;

IngestResult Store::ingest(const alerting::WebhookNotification& n, const std::string& sha) {
  IngestResult result;
  const auto now = impl_->now_ns();
  const writer::EncodedNotification encoded(n);
  impl_->writes.write(
      [&](writer::Writer& w, writer::JobCounts& c) { result = w.ingest(encoded, sha, now, c); });
  return result;
}

SyncResult Store::sync(const std::vector<alerting::GettableAlert>& alerts,
                       const std::vector<alerting::GettableSilence>& silences) {
  SyncResult result;
  const auto now = impl_->now_ns();
  impl_->writes.write(
      [&](writer::Writer& w, writer::JobCounts& c) { result = w.sync(alerts, silences, now, c); });
  return result;
}

SweepResult Store::sweep(TimePoint listed_at, std::chrono::nanoseconds grace,
                         const std::vector<std::string>& own_receivers) {
  SweepResult result;
  const auto now = impl_->now_ns();
  const std::int64_t listed = sqlite::ns(listed_at);
  const std::string excluded = sqlite::dump(nlohmann::json(own_receivers));
  impl_->writes.write([&](writer::Writer& w, writer::JobCounts&) {
    result = w.sweep(listed, grace.count(), excluded, now);
  });
  return result;
}

std::int64_t Store::add_message(const Message& m) {
  std::int64_t id = 0;
  const auto now = impl_->now_ns();
  impl_->writes.write([&](writer::Writer& w, writer::JobCounts&) { id = w.add_message(m, now); });
  return id;
}

// Hooks of modules that own their tables (incident_events.cpp, search.cpp).
void Store::write_with(const std::function<void(SQLite::Database&)>& f) {
  impl_->writes.write([&](writer::Writer& w, writer::JobCounts&) {
    SQLite::Database* db = w.sqlite();
    if (db == nullptr) throw std::logic_error("incident events and search need SQLite for now");
    f(*db);
  });
}
void Store::read_with(const std::function<void(SQLite::Database&)>& f) const {
  impl_->reads.read([&](reader::Reader& r) { f(r.sqlite()); });
}
void Store::write_db(const std::function<void(db::Connection&)>& f) {
  impl_->writes.write([&](writer::Writer& w, writer::JobCounts&) { f(w.db()); });
}
void Store::read_db(const std::function<void(db::Connection&)>& f) const {
  impl_->reads.read([&](reader::Reader& r) {
    try {
      f(r.db());
    } catch (const db::Error& e) {
      if (e.transient()) throw StoreUnavailable(std::string("database unavailable: ") + e.what());
      throw;
    }
  });
}

// The write probe behind /readyz: one row rewritten through the writer, apart from the history.
std::string Store::probe_write() {
  const auto now = impl_->now_ns();
  try {
    impl_->writes.write([&](writer::Writer& w, writer::JobCounts&) {
      auto st = w.db().prepare(
          "INSERT INTO store_probe (id, probed_at) VALUES (1, ?) "
          "ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at");
      st->bind(1, static_cast<std::int64_t>(now));
      st->exec();
    });
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

Store::SummaryRepair Store::repair_summaries() {
  SummaryRepair r;
  impl_->writes.write([&](writer::Writer& w, writer::JobCounts&) { r = w.repair_summaries(); });
  return r;
}

std::int64_t Store::size_bytes() const {
  return impl_->reads.read([](reader::Reader& r) -> std::int64_t {
    if (r.dialect() == db::Dialect::sqlite) {
      return r.sqlite().execAndGet("PRAGMA page_count").getInt64() *
             r.sqlite().execAndGet("PRAGMA page_size").getInt64();
    }
    auto& s = r.statement("SELECT pg_database_size(current_database())");
    const std::int64_t bytes = s.executeStep() ? s.getInt64(0) : 0;
    s.reset();
    return bytes;
  });
}

int Store::schema_version() const {
  return impl_->reads.read([](reader::Reader& r) {
    if (r.dialect() == db::Dialect::sqlite) {
      return r.sqlite().execAndGet("PRAGMA user_version").getInt();
    }
    auto& s = r.statement("SELECT version FROM mockslack_schema");
    const int version = s.executeStep() ? static_cast<int>(s.getInt64(0)) : 0;
    s.reset();
    return version;
  });
}

Store::WriteQueue Store::write_queue() const { return impl_->writes.write_queue(); }

}  // namespace mock_slack
