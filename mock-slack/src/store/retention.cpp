// Retention: Store::apply_retention and the writer's pruning, in chunks of their own transactions.
#include <set>

#include "sqlite.hpp"
#include "store_impl.hpp"
#include "writer.hpp"

namespace mock_slack {

namespace writer {

using db::Use;

/// Deletes up to `chunk` resolved occurrences that ended before `cutoff`; returns how many.
std::int64_t Writer::prune_occurrences(std::int64_t cutoff, int chunk) {
  auto select = db_->prepare(
      "SELECT id FROM occurrences WHERE coalesce(ends_at, 9223372036854775807) < ? LIMIT ?");
  select->bind(1, cutoff);
  select->bind(2, std::int64_t{chunk});
  std::vector<std::int64_t> ids;
  while (select->executeStep()) ids.push_back(select->getInt64(0));
  auto unlink = db_->prepare(
      "DELETE FROM incident_occurrences WHERE occurrence_id = ? RETURNING incident_id");
  auto remove = db_->prepare("DELETE FROM occurrences WHERE id = ?");
  std::set<std::int64_t> incidents;
  for (auto id : ids) {
    unlink->bind(1, id);
    while (unlink->executeStep()) incidents.insert(unlink->getInt64(0));
    unlink->reset();
    remove->bind(1, id);
    remove->exec();
  }
  for (auto incident : incidents) {
    Use sum(*summarize_incident_);
    sum->bind(1, incident);
    sum->exec();
  }
  return static_cast<std::int64_t>(ids.size());
}

/// The retention lock's key: "mockslar" in ASCII.
constexpr const char* kRetentionLock = "SELECT pg_try_advisory_lock(7885631463830204786)";
constexpr const char* kRetentionUnlock = "SELECT pg_advisory_unlock(7885631463830204786)";

bool Writer::try_retention_lock() {
  if (!pg_) return true;
  auto s = db_->prepare(kRetentionLock);
  return s->executeStep() && s->getInt64(0) == 1;
}

void Writer::release_retention_lock() {
  if (!pg_) return;
  auto s = db_->prepare(kRetentionUnlock);
  s->executeStep();
}

void Writer::prune_rest(std::int64_t cutoff, RetentionResult& r) {
  // Each statement deletes what ended before ?1, the cutoff; returns how many rows it deleted.
  const auto prune = [this, cutoff](const char* sql) {
    auto s = db_->prepare(sql);
    s->bind(1, cutoff);
    return s->exec();
  };
  r.incidents = prune(
      "DELETE FROM incidents WHERE coalesce(resolved_at, 9223372036854775807) < ?1 AND NOT "
      "EXISTS (SELECT 1 FROM incident_occurrences io WHERE io.incident_id = incidents.id)");
  r.notifications = prune(
      "DELETE FROM notifications WHERE received_at < ?1 AND (incident_id IS NULL OR NOT EXISTS "
      "(SELECT 1 FROM incidents i WHERE i.id = notifications.incident_id))");
  r.messages = prune("DELETE FROM messages WHERE received_at < ?1");
  r.silences = prune("DELETE FROM silences WHERE state = 'expired' AND ends_at < ?1");
}

}  // namespace writer

RetentionResult Store::apply_retention() {
  RetentionResult r;
  const auto cutoff =
      impl_->now_ns() -
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.retention).count();
  bool held = false;
  impl_->writes.write(
      [&](writer::Writer& w, writer::JobCounts&) { held = w.try_retention_lock(); });
  if (!held) {
    r.ran = false;
    return r;
  }
  // Released on every way out; a lost connection releases it with its session.
  struct Release {
    writer::GroupCommit& writes;
    ~Release() {
      try {
        writes.write([](writer::Writer& w, writer::JobCounts&) { w.release_retention_lock(); });
      } catch (const std::exception&) {
        // The session is gone, and its lock with it.
      }
    }
  } release{impl_->writes};
  // In chunks, each its own transaction, so ingestion is never held up for long.
  constexpr int kChunk = 5000;
  for (;;) {
    std::int64_t n = 0;
    impl_->writes.write(
        [&](writer::Writer& w, writer::JobCounts&) { n = w.prune_occurrences(cutoff, kChunk); });
    r.occurrences += n;
    if (n < kChunk) break;
  }
  impl_->writes.write([&](writer::Writer& w, writer::JobCounts&) { w.prune_rest(cutoff, r); });
  return r;
}

}  // namespace mock_slack
