// Writer::sweep: the firing occurrences that a complete batch-sync run no longer listed. API v2
// lists only the alerts that have not resolved, so an occurrence whose resolved notification was
// lost (mock-slack down longer than Alertmanager tried) would otherwise fire forever.
//
// Two conditions, both required: the run did not list it (never synced, or last synced before
// the run read Alertmanager), and nothing saw it active within the grace (no notification, no
// sync). The second one is what makes the sweep safe against races: a notification that arrives
// after the listing, or an alert that Prometheus sent Alertmanager after it, is a sighting within
// the grace. It also makes the clocks of batch-sync and mock-slack matter little: the grace is
// measured on mock-slack's clock alone. The writer runs one job at a time, so the sweep sees
// every notification committed before it, and none commits in the middle of it.
#include "sqlite.hpp"
#include "writer.hpp"

namespace mock_slack::writer {

using db::Use;

void Writer::prepare_sweep() {
  // The estimated end: the last time it was seen active (its start, its last notification or
  // its last sync, the latest of them).
  find_sweepable_ = db_->prepare(
      db::Sql("SELECT id, max(starts_at, coalesce(last_notified_at, starts_at), "
              "coalesce(last_synced_at, starts_at)) FROM occurrences WHERE status = 'firing' AND "
              "(last_synced_at IS NULL OR last_synced_at < ?1) AND "
              "coalesce(last_notified_at, -9223372036854775807) < ?2 AND "
              "coalesce(last_synced_at, -9223372036854775807) < ?2 AND "
              "receiver NOT IN (SELECT value FROM json_each(?3)) ORDER BY id",
              "SELECT id, GREATEST(starts_at, coalesce(last_notified_at, starts_at), "
              "coalesce(last_synced_at, starts_at)) FROM occurrences WHERE status = 'firing' AND "
              "(last_synced_at IS NULL OR last_synced_at < ?1) AND "
              "coalesce(last_notified_at, -9223372036854775807) < ?2 AND "
              "coalesce(last_synced_at, -9223372036854775807) < ?2 AND "
              "receiver NOT IN (SELECT json_array_elements_text(?3::json)) ORDER BY id"));
  resolve_swept_ = db_->prepare(
      "UPDATE occurrences SET status = 'resolved', ends_at = ?2, resolved_by = 'sweep', "
      "resolution_recorded_at = ?3 WHERE id = ?1 AND status = 'firing'");
}

SweepResult Writer::sweep(std::int64_t listed_at, std::int64_t grace,
                          const std::string& own_receivers, std::int64_t now) {
  SweepResult result;
  std::vector<std::pair<std::int64_t, std::int64_t>> swept;  // (id, estimated end)
  {
    Use f(*find_sweepable_);
    f->bind(1, listed_at);
    f->bind(2, now - grace);
    f->bind(3, own_receivers);
    while (f->executeStep()) {
      swept.emplace_back(f->getInt64(0), f->getInt64(1));
    }
  }
  for (const auto& [id, ends_at] : swept) {
    {
      Use u(*resolve_swept_);
      u->bind(1, id);
      u->bind(2, ends_at);
      u->bind(3, now);
      if (u->exec() == 0) continue;
    }
    count_resolved(id);
    ++result.resolved_occurrences;
    result.resolved_incidents += resolve_quiet_incidents_of(id, now);
  }
  return result;
}

}  // namespace mock_slack::writer
