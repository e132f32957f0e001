// Writer::sync and Writer::sync_silences: alerts and silences read from Alertmanager's API v2.
#include "sqlite.hpp"
#include "writer.hpp"

namespace mock_slack::writer {

namespace alerting = firedrill::alerting;
using db::Use;
using nlohmann::json;

SyncResult Writer::sync(const std::vector<alerting::GettableAlert>& alerts,
                        const std::vector<alerting::GettableSilence>& silences, std::int64_t now,
                        JobCounts& counts) {
  SyncResult result;
  result.received = static_cast<std::int64_t>(alerts.size());
  for (const auto& a : alerts) {
    // API v2 lists alerts that have not resolved; one whose end has passed did resolve.
    const bool resolved = a.ends_at != alerting::kZeroTime && sqlite::ns(a.ends_at) <= now;
    const std::string annotations = sqlite::dump(a.annotations);
    const std::string silenced = sqlite::dump(json(a.silenced_by));
    const std::string inhibited = sqlite::dump(json(a.inhibited_by));
    if (const auto stored = find_occurrence(a.fingerprint, sqlite::ns(a.starts_at))) {
      const bool firing = stored->status == "firing";
      const bool resolves = resolved && firing;
      const bool changed = resolves || stored->state != a.state ||
                           stored->silenced_by != silenced || stored->inhibited_by != inhibited ||
                           (firing && stored->annotations != annotations);
      if (changed) {
        Use u(*update_synced_);
        u->bind(1, stored->id);
        u->bind(2, resolves ? std::string("resolved") : stored->status);
        update_synced_->bind(
            3, resolves ? std::optional<std::int64_t>(sqlite::ns(a.ends_at)) : std::nullopt);
        u->bind(4, firing ? annotations : stored->annotations);
        u->bind(5, a.state);
        u->bind(6, silenced);
        u->bind(7, inhibited);
        u->bind(8, now);
        if (resolves) {
          u->bind(9, "sync");
          u->bind(10, now);
        } else {
          u->bind(9);
          u->bind(10);
        }
        u->exec();
        if (resolves) {
          count_resolved(stored->id);
          result.resolved_incidents += resolve_quiet_incidents_of(stored->id, now);
        }
        ++result.updated_occurrences;
        ++counts.updated;
      } else {
        touch_synced(stored->id, now);
        ++result.unchanged_occurrences;
        ++counts.duplicate;
      }
      continue;
    }
    const std::int64_t inserted = insert_occurrence(
        {.fingerprint = a.fingerprint,
         .starts_at = sqlite::ns(a.starts_at),
         .ends_at = resolved ? std::optional<std::int64_t>(sqlite::ns(a.ends_at)) : std::nullopt,
         .alertname = std::string(alerting::label_value(a.labels, "alertname")),
         .severity = std::string(alerting::label_value(a.labels, "severity")),
         .service = std::string(alerting::label_value(a.labels, "service")),
         .labels = sqlite::dump(a.labels),
         .annotations = annotations,
         .generator_url = a.generator_url,
         .receiver = a.receivers.empty() ? std::string() : a.receivers.front(),
         .notified_at = std::nullopt,  // never notified
         .synced_at = now,
         .suppressed_state = a.state,
         .silenced_by = silenced,
         .inhibited_by = inhibited,
         .source = "sync"});
    switch (join_group(a, inserted, !resolved, now)) {
      case Joined::joined:
        ++result.joined_incidents;
        break;
      case Joined::opened:
        ++result.opened_incidents;
        break;
      case Joined::none:
        break;
    }
    ++result.new_occurrences;
    ++counts.new_occurrences;
  }
  result.silences = sync_silences(silences, now);
  return result;
}

SilenceSyncResult Writer::sync_silences(const std::vector<alerting::GettableSilence>& silences,
                                        std::int64_t now) {
  SilenceSyncResult result;
  result.received = static_cast<std::int64_t>(silences.size());
  for (const auto& silence : silences) {
    std::optional<std::int64_t> stored_updated_at;
    std::string stored_state;
    {
      Use f(*find_silence_);
      f->bind(1, silence.id);
      if (f->executeStep()) {
        stored_updated_at = f->getInt64(0);
        stored_state = f->getString(1);
      }
    }
    const std::int64_t updated_at = sqlite::ns(silence.updated_at);
    if (stored_updated_at &&
        (updated_at < *stored_updated_at ||
         (updated_at == *stored_updated_at && silence.state == stored_state))) {
      Use t(*touch_silence_);
      t->bind(1, silence.id);
      t->bind(2, now);
      t->exec();
      ++result.unchanged_silences;
      continue;
    }
    db::Statement& write = stored_updated_at ? *update_silence_ : *insert_silence_;
    Use w(write);
    w->bind(1, silence.id);
    w->bind(2, silence.state);
    w->bind(3, silence.created_by);
    w->bind(4, silence.comment);
    w->bind(5, sqlite::ns(silence.starts_at));
    w->bind(6, sqlite::ns(silence.ends_at));
    w->bind(7, updated_at);
    w->bind(8, sqlite::dump(alerting::to_json(silence.matchers)));
    w->bind(9, now);
    w->exec();
    if (stored_updated_at) {
      ++result.updated_silences;
    } else {
      ++result.new_silences;
    }
  }
  return result;
}

}  // namespace mock_slack::writer
