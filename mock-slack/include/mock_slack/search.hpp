#pragma once
// Free-text search over the history: alert names, label values and annotations of occurrences,
// incident events (notes and the rest) and Slack messages, through the SQLite FTS5 tables of
// schema migrations 8 and 9 (kept up to date by triggers and a background indexer; a prefix of 4
// or more characters read through migration 10's dictionary of terms). User text never
// reaches FTS5 as syntax: each word becomes a quoted phrase (a final `*` a prefix), and the words
// are ANDed. Results are newest first (by when they were recorded), each linked to its incident(s)
// or channel. The SQL lives in search.cpp, over Store::read_with(); the routes are Receiver's
// (routes.cpp), handled in search_api.cpp.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mock_slack/store.hpp"

namespace mock_slack {

inline constexpr std::size_t kMaxSearchBytes = 512;  ///< of the query text
inline constexpr std::size_t kMaxSearchWords = 16;
inline constexpr std::size_t kMaxSearchLimit = 200;

/// The FTS5 MATCH expression for what a user typed: every whitespace-separated word that holds a
/// letter or digit becomes `"word"` (a `"` in it doubled), or `"word"*` when it ends with `*` and
/// has at least two characters before it; the phrases are ANDed. Throws std::invalid_argument
/// naming `q` when nothing is left to search for, or the text is over kMaxSearchBytes or
/// kMaxSearchWords words.
std::string fts_query(std::string_view text);

/// A word of an expression fts_query() built: its text (quotes undoubled), and whether it is a
/// prefix.
struct SearchWord {
  std::string text;
  bool prefix = false;
};

/// The words of an expression fts_query() built, in order.
std::vector<SearchWord> search_words(std::string_view match);

/// One thing the search found.
struct SearchHit {
  std::string type;  ///< "alert" (an occurrence), "event" (an incident event) or "message"
  std::int64_t id = 0;
  TimePoint time{};   ///< an occurrence's start, an event's time, a message's arrival
  std::string title;  ///< "PortalHighErrorRate firing", "note by alice", "#pages"
  std::string text;   ///< label values and summary; the event's or message's text
  std::vector<std::int64_t> incident_ids;  ///< the incidents it belongs to (newest first)
  std::string channel;                     ///< a message's channel
};

/// The newest `limit` hits (1..kMaxSearchLimit) for `match`, an fts_query() result, over the
/// three sources, newest recorded first within each and merged by time. Indexes what is queued
/// first (index_pending()), so that it finds everything stored before it. Throws
/// StoreUnavailable; std::invalid_argument for an expression FTS5 refuses.
std::vector<SearchHit> search(Store& store, const std::string& match, std::size_t limit);

/// Indexes up to `batch` occurrences in one write: the changed ones migration 9's trigger queued,
/// then the new ones past the watermark (search_watermark); returns how many. Throws
/// StoreUnavailable.
std::size_t index_pending(Store& store, std::size_t batch = 5000);

/// When the background indexer indexes what waits. A batch's commit costs about as much as
/// indexing 40 rows (an FTS5 segment written and merged), so small batches cost up to 3 times the
/// instructions a row: a batch of 10 rows 121 K a row, of 47 rows 75 K, of 1,000 rows 39 K
/// (callgrind). So it waits for `min_rows` new or changed occurrences (Store::write_queue()
/// counts them, without a query), or for `max_wait` after its last batch when fewer come; a
/// search indexes whatever waits first, so what it finds is never behind.
struct IndexPolicy {
  std::chrono::milliseconds interval{250};  ///< how often it looks
  std::size_t min_rows = 500;
  std::chrono::milliseconds max_wait{2000};
};

/// Whether `waiting` occurrences written since the last batch, `since_last` ago, are to be
/// indexed now under `policy`.
bool index_due(const IndexPolicy& policy, std::uint64_t waiting,
               std::chrono::milliseconds since_last);

/// Indexes what waits (index_pending(), in batches, each its own write) on its own thread until
/// destroyed, whenever `policy` says so, so that a search has little left to index.
class SearchIndexer {
 public:
  SearchIndexer(Store& store, IndexPolicy policy);
  ~SearchIndexer();
  SearchIndexer(const SearchIndexer&) = delete;
  SearchIndexer& operator=(const SearchIndexer&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

nlohmann::json to_json(const SearchHit& hit);

}  // namespace mock_slack
