// Writer::sync and Writer::sync_silences: alerts and silences read from Alertmanager's API v2.
#include "sqlite.hpp"
#include "writer.hpp"

namespace mock_slack::writer {

namespace alerting = firedrill::alerting;
using nlohmann::json;
using sqlite::bind_optional;
using sqlite::dump;
using sqlite::kForever;
using sqlite::ns;
using sqlite::Use;

SyncResult Writer::sync(const std::vector<alerting::GettableAlert>& alerts,
                        const std::vector<alerting::GettableSilence>& silences, std::int64_t now,
                        JobCounts& counts) {
  SyncResult result;
  result.received = static_cast<std::int64_t>(alerts.size());
  for (const auto& a : alerts) {
    // API v2 lists alerts that have not resolved; one whose end has passed did resolve.
    const bool resolved = a.ends_at != alerting::kZeroTime && ns(a.ends_at) <= now;
    const std::string annotations = dump(a.annotations);
    const std::string silenced = dump(json(a.silenced_by));
    const std::string inhibited = dump(json(a.inhibited_by));
    std::optional<std::int64_t> id;
    std::string status, stored_annotations, state, stored_silenced, stored_inhibited;
    {
      Use f(*find_occurrence_);
      f->bind(1, a.fingerprint);
      f->bind(2, ns(a.starts_at));
      if (f->executeStep()) {
        id = f->getColumn(0).getInt64();
        status = f->getColumn(1).getString();
        stored_annotations = f->getColumn(2).getString();
        state = f->getColumn(3).getString();
        stored_silenced = f->getColumn(4).getString();
        stored_inhibited = f->getColumn(5).getString();
      }
    }
    if (id) {
      const bool resolves = resolved && status == "firing";
      const bool changed = resolves || state != a.state || stored_silenced != silenced ||
                           stored_inhibited != inhibited ||
                           (status == "firing" && stored_annotations != annotations);
      if (changed) {
        Use u(*update_synced_);
        u->bind(1, *id);
        u->bind(2, resolves ? std::string("resolved") : status);
        bind_optional(*update_synced_, 3,
                      resolves ? std::optional<std::int64_t>(ns(a.ends_at)) : std::nullopt);
        u->bind(4, status == "firing" ? annotations : stored_annotations);
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
          count_resolved(*id);
          result.resolved_incidents += resolve_quiet_incidents_of(*id, now);
        }
        ++result.updated_occurrences;
        ++counts.updated;
      } else {
        touch_synced(*id, now);
        ++result.unchanged_occurrences;
        ++counts.duplicate;
      }
      continue;
    }
    const std::int64_t inserted = insert_occurrence(
        {.fingerprint = a.fingerprint,
         .starts_at = ns(a.starts_at),
         .ends_at = resolved ? std::optional<std::int64_t>(ns(a.ends_at)) : std::nullopt,
         .alertname = std::string(alerting::label_value(a.labels, "alertname")),
         .severity = std::string(alerting::label_value(a.labels, "severity")),
         .service = std::string(alerting::label_value(a.labels, "service")),
         .labels = dump(a.labels),
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
        stored_updated_at = f->getColumn(0).getInt64();
        stored_state = f->getColumn(1).getString();
      }
    }
    const std::int64_t updated_at = ns(silence.updated_at);
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
    SQLite::Statement& write = stored_updated_at ? *update_silence_ : *insert_silence_;
    Use w(write);
    w->bind(1, silence.id);
    w->bind(2, silence.state);
    w->bind(3, silence.created_by);
    w->bind(4, silence.comment);
    w->bind(5, ns(silence.starts_at));
    w->bind(6, ns(silence.ends_at));
    w->bind(7, updated_at);
    w->bind(8, dump(alerting::to_json(silence.matchers)));
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
