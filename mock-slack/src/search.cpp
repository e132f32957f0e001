// Free-text search (search.hpp): the FTS5 expression built from user text, and the queries over
// the FTS5 tables of schema migrations 8 and 9 (SQLite; a long prefix through migration 10's
// dictionary of terms, search_terms.hpp), or over the GIN indexes of PostgreSQL's
// migration 8 with the same words.
#include "mock_slack/search.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <stdexcept>

#include "firedrill/log.hpp"
#include "firedrill/text.hpp"
#include "mock_slack_ui/html.hpp"
#include "search_sql.hpp"
#include "search_terms.hpp"
#include "store/db/db.hpp"

namespace mock_slack {

using search_sql::kAlertsSql;
using search_sql::kEventsSql;
using search_sql::kMessagesSql;
namespace alerting = firedrill::alerting;
using nlohmann::json;

namespace {

TimePoint tp(std::int64_t v) { return TimePoint(std::chrono::nanoseconds(v)); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/// Whether FTS5's unicode61 tokenizer can find a token in `word`: an ASCII letter or digit, or
/// any non-ASCII character (a word of only non-ASCII punctuation is a phrase of no tokens, which
/// matches nothing).
bool has_token(std::string_view word) {
  return std::any_of(word.begin(), word.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

json parse_object(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  return j.is_object() ? j : json::object();
}

std::vector<std::int64_t> id_list(const db::Statement& s, int column) {
  std::vector<std::int64_t> out;
  if (s.isNull(column)) return out;
  const json j = json::parse(s.getString(column), nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_number_integer()) out.push_back(v.get<std::int64_t>());
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

/// "service=portal instance=10.0.0.1:8080 · Portal's error ratio is high": an occurrence's label
/// values (but its name) and its summary or description.
std::string alert_text(const json& labels, const json& annotations) {
  std::string out;
  for (const auto& [k, v] : labels.items()) {
    if (k == "alertname" || !v.is_string()) continue;
    out += (out.empty() ? "" : " ") + k + "=" + v.get<std::string>();
  }
  for (const char* key : {"summary", "description"}) {
    if (auto it = annotations.find(key); it != annotations.end() && it->is_string()) {
      out += (out.empty() ? "" : " · ") + it->get<std::string>();
      break;
    }
  }
  return out;
}

/// The words of an expression fts_query() built, as PostgreSQL's mockslack_search_query() reads
/// them: [{"t": word, "p": prefix}, ...].
std::string postgres_words(std::string_view match) {
  json words = json::array();
  for (const auto& w : search_words(match)) words.push_back({{"t", w.text}, {"p", w.prefix}});
  return words.dump(-1, ' ', false, json::error_handler_t::replace);
}

// What index_pending() indexes, from migration 9's view search_occurrence_text (the triggers
// read the same view, so the index is told the values it holds). Changed occurrences, queued by
// the update trigger, ?1: the batch's last id; then new ones, past the watermark, ?1 < id <= ?2.
constexpr const char* kChangedSql =
    "SELECT t.id, t.alertname, t.labels, t.annotations FROM search_pending p "
    "JOIN search_occurrence_text t ON t.id = p.id WHERE p.id <= ?1";
constexpr const char* kNewSql =
    "SELECT t.id, t.alertname, t.labels, t.annotations FROM search_occurrence_text t "
    "WHERE t.id > ?1 AND t.id <= ?2";

/// Whether index_pending() has work: a changed occurrence queued, or one past the watermark.
constexpr const char* kQueuedSql =
    "SELECT EXISTS (SELECT 1 FROM search_pending) OR coalesce((SELECT max(id) FROM "
    "occurrences), 0) > (SELECT occurrences_through FROM search_watermark)";

/// Indexes the rows `rows` selects (id, alertname, labels, annotations) into search_occurrences,
/// and adds their terms to the dictionary (search_terms.hpp).
void index_rows(SQLite::Database& db, SQLite::Statement& rows) {
  SQLite::Statement insert(db,
                           "INSERT INTO search_occurrences (rowid, alertname, labels, annotations) "
                           "VALUES (?, ?, ?, ?)");
  search_terms::Collector terms(db);
  while (rows.executeStep()) {
    insert.bind(1, rows.getColumn(0).getInt64());
    for (int c = 1; c <= 3; ++c) {
      const SQLite::Column value = rows.getColumn(c);
      if (value.isNull()) {
        insert.bind(c + 1);
      } else {
        const std::string text = value.getString();
        terms.add(text);
        insert.bind(c + 1, text);
      }
    }
    insert.exec();
    insert.reset();
  }
  terms.save();
}

}  // namespace

std::vector<SearchWord> search_words(std::string_view match) {
  std::vector<SearchWord> words;
  std::size_t i = 0;
  while (i < match.size()) {
    if (match[i] != '"') {
      ++i;
      continue;
    }
    SearchWord word;
    for (++i; i < match.size(); ++i) {
      if (match[i] == '"') {
        if (i + 1 < match.size() && match[i + 1] == '"') {
          word.text += '"';
          ++i;
          continue;
        }
        ++i;
        break;
      }
      word.text += match[i];
    }
    word.prefix = i < match.size() && match[i] == '*';
    words.push_back(std::move(word));
  }
  return words;
}

std::size_t index_pending(Store& store, std::size_t batch) {
  // PostgreSQL indexes every write itself (GIN): nothing waits.
  if (is_postgres(store.options().path)) return 0;
  std::size_t indexed = 0;
  store.write_with([&](SQLite::Database& db) {
    indexed = 0;
    const auto limit = static_cast<std::int64_t>(batch);
    SQLite::Statement changed(db,
                              "SELECT count(*), max(id) FROM (SELECT id FROM search_pending "
                              "ORDER BY id LIMIT ?)");
    changed.bind(1, limit);
    if (changed.executeStep() && changed.getColumn(0).getInt64() > 0) {
      indexed = static_cast<std::size_t>(changed.getColumn(0).getInt64());
      const std::int64_t up_to = changed.getColumn(1).getInt64();
      SQLite::Statement rows(db, kChangedSql);
      rows.bind(1, up_to);
      index_rows(db, rows);
      SQLite::Statement dequeue(db, "DELETE FROM search_pending WHERE id <= ?");
      dequeue.bind(1, up_to);
      dequeue.exec();
    }
    if (indexed >= batch) return;
    const std::int64_t through =
        db.execAndGet("SELECT occurrences_through FROM search_watermark").getInt64();
    SQLite::Statement fresh(db,
                            "SELECT count(*), max(id) FROM (SELECT id FROM occurrences WHERE id "
                            "> ? ORDER BY id LIMIT ?)");
    fresh.bind(1, through);
    fresh.bind(2, static_cast<std::int64_t>(batch - indexed));
    if (!fresh.executeStep() || fresh.getColumn(0).getInt64() == 0) return;
    const std::int64_t up_to = fresh.getColumn(1).getInt64();
    SQLite::Statement rows(db, kNewSql);
    rows.bind(1, through);
    rows.bind(2, up_to);
    index_rows(db, rows);
    SQLite::Statement mark(db, "UPDATE search_watermark SET occurrences_through = ?");
    mark.bind(1, up_to);
    mark.exec();
    indexed += static_cast<std::size_t>(fresh.getColumn(0).getInt64());
  });
  return indexed;
}

bool index_due(const IndexPolicy& policy, std::uint64_t waiting,
               std::chrono::milliseconds since_last) {
  return waiting > 0 && (waiting >= policy.min_rows || since_last >= policy.max_wait);
}

SearchIndexer::SearchIndexer(Store& store, IndexPolicy policy) {
  if (policy.interval.count() <= 0) return;
  thread_ = std::thread([this, &store, policy] {
    using Clock = std::chrono::steady_clock;
    auto last = Clock::now();
    std::uint64_t written_then = 0;
    bool started = false;  // what was written before the store opened waits too: index it first
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, policy.interval, [this] { return stop_; })) {
      lock.unlock();
      try {
        const auto since_last =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last);
        const std::uint64_t written = store.write_queue().occurrences_written;
        if (!started || index_due(policy, written - written_then, since_last)) {
          constexpr std::size_t kBatch = 5000;
          while (index_pending(store, kBatch) == kBatch) {
          }
          last = Clock::now();
          written_then = written;
          started = true;
        }
      } catch (const std::exception& e) {
        firedrill::log::warn("search indexing failed; will retry", {{"error", e.what()}});
      }
      lock.lock();
    }
  });
}

SearchIndexer::~SearchIndexer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string fts_query(std::string_view text) {
  if (text.size() > kMaxSearchBytes) {
    throw std::invalid_argument("q: longer than " + std::to_string(kMaxSearchBytes) + " bytes");
  }
  std::string out;
  std::size_t words = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    std::size_t j = i;
    while (j < text.size() && !is_space(text[j])) ++j;
    std::string_view word = text.substr(i, j - i);
    i = j;
    if (word.empty()) continue;
    bool prefix = false;
    while (!word.empty() && word.back() == '*') {
      word.remove_suffix(1);
      prefix = true;
    }
    if (!has_token(word)) continue;
    if (++words > kMaxSearchWords) {
      throw std::invalid_argument("q: more than " + std::to_string(kMaxSearchWords) + " words");
    }
    if (!out.empty()) out += ' ';
    out += '"';
    for (char c : word) {
      out += c;
      if (c == '"') out += '"';
    }
    out += '"';
    // A one-character prefix would read every term of the index that starts with it.
    if (prefix && word.size() >= 2) out += '*';
  }
  if (out.empty()) {
    throw std::invalid_argument("q: expected words to search for (letters or digits), got \"" +
                                firedrill::cut(text) + "\"");
  }
  return out;
}

std::vector<SearchHit> search(Store& store, const std::string& match, std::size_t limit) {
  limit = std::clamp<std::size_t>(limit, 1, kMaxSearchLimit);
  const bool postgres = is_postgres(store.options().path);
  if (!postgres) {
    // PostgreSQL's indexes are kept by the server on every write; SQLite's wait for the indexer.
    bool queued = false;
    store.read_with(
        [&](SQLite::Database& db) { queued = db.execAndGet(kQueuedSql).getInt() != 0; });
    // What was queued when the search began; rows that arrive meanwhile may wait for the next.
    constexpr std::size_t kBatch = 5000;
    if (queued) {
      while (index_pending(store, kBatch) == kBatch) {
      }
    }
  }
  const std::string words = postgres ? postgres_words(match) : match;
  std::vector<SearchHit> hits;
  try {
    store.read_db([&](db::Connection& db) {
      hits.clear();
      auto run = [&](const db::Sql& sql, auto&& read, const std::string& expression) {
        auto s = db.prepare(sql);
        s->bind(1, expression);
        s->bind(2, static_cast<std::int64_t>(limit));
        while (s->executeStep()) hits.push_back(read(*s));
      };
      // Only the occurrences' index has a dictionary of its terms (the notes and messages are
      // indexed by triggers, and are few): a long prefix is expanded there alone.
      const std::string alert_words = postgres ? words : search_terms::expand_prefixes(db, words);
      run(
          kAlertsSql,
          [](db::Statement& s) {
            SearchHit h;
            h.type = "alert";
            h.id = s.getInt64(0);
            h.time = tp(s.getInt64(1));
            h.title = s.getString(2) + " " + s.getString(3);
            h.text = alert_text(parse_object(s.getString(4)), parse_object(s.getString(5)));
            h.incident_ids = id_list(s, 6);
            return h;
          },
          alert_words);
      run(
          kEventsSql,
          [](db::Statement& s) {
            SearchHit h;
            h.type = "event";
            h.id = s.getInt64(0);
            h.time = tp(s.getInt64(1));
            h.title = s.getString(2) + " by " + s.getString(3);
            h.text = s.getString(4);
            h.incident_ids = id_list(s, 5);
            return h;
          },
          words);
      run(
          kMessagesSql,
          [](db::Statement& s) {
            SearchHit h;
            h.type = "message";
            h.id = s.getInt64(0);
            h.time = tp(s.getInt64(1));
            h.channel = s.getString(2);
            h.title = "#" + h.channel;
            if (const std::string user = s.getString(3); !user.empty()) {
              h.title += " from " + user;
            }
            h.text = s.getString(4);
            return h;
          },
          words);
    });
  } catch (const db::Error& e) {
    // fts_query() quotes every word, so FTS5 should accept whatever it builds; should it not,
    // the caller answers 400, not 500.
    if (std::string_view(e.what()).find("fts5") != std::string_view::npos) {
      throw std::invalid_argument(std::string("q: the search index refused it: ") + e.what());
    }
    throw;
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const SearchHit& a, const SearchHit& b) { return a.time > b.time; });
  if (hits.size() > limit) hits.resize(limit);
  return hits;
}

json to_json(const SearchHit& h) {
  json j{{"type", h.type},   {"id", h.id},     {"time", alerting::format_time(h.time)},
         {"title", h.title}, {"text", h.text}, {"incidentIds", h.incident_ids}};
  if (!h.incident_ids.empty()) {
    j["url"] = "/incidents/" + std::to_string(h.incident_ids.front());
  } else if (!h.channel.empty()) {
    j["url"] = "/channels/" + ui::url_encode(h.channel);
  } else {
    j["url"] = nullptr;
  }
  if (h.type == "message") j["channel"] = h.channel;
  return j;
}

}  // namespace mock_slack
