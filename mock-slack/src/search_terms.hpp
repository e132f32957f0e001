#pragma once
// The dictionary of search terms (SQLite schema migration 10, table search_terms): the terms of
// the occurrences index (search_occurrences) that start with a letter and are 4 characters or
// more, made by the index's own tokenizer. A prefix of that length is not in the FTS5 prefix
// index (prefix='2 3'), and FTS5 answers it by merging the doclists of every term it starts
// before it reads the newest; written as the OR of the terms the dictionary holds, it is read
// newest first and stops at the page. Internal to mock-slack: search.cpp fills it while it indexes
// and reads it while it searches.

#include <set>
#include <string>
#include <string_view>

namespace SQLite {
class Database;
}

namespace mock_slack::db {
class Connection;
}

namespace mock_slack::search_terms {

/// At most this many terms replace a prefix; one that starts more is left to FTS5 as it is.
inline constexpr std::size_t kMaxTerms = 64;

/// Whether the dictionary keeps `term` (a token as the index holds it): it starts with a..z and
/// has at least 4 characters.
bool kept(std::string_view term);

/// Collects the kept terms of texts as search_occurrences' tokenizer makes them (SQLite's own
/// unicode61, remove_diacritics 2, through its FTS5 API on `db`), and writes the new ones to
/// search_terms. Throws std::runtime_error when the SQLite has no FTS5.
class Collector {
 public:
  explicit Collector(SQLite::Database& db);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  void add(std::string_view text);
  /// Inserts what it collected and search_terms lacks, on the connection it was made on (in the
  /// caller's transaction), and forgets it.
  void save();

 private:
  struct Tokenizer;
  SQLite::Database& db_;
  Tokenizer* tokenizer_;
  static constexpr std::size_t kShortText = 256;    ///< bytes
  static constexpr std::size_t kShortTexts = 4096;  ///< remembered
  std::set<std::string, std::less<>> terms_;
  std::set<std::string, std::less<>> short_texts_;  ///< tokenized already
};

/// `match`, an expression fts_query() built, with each prefix word that is one ASCII token of 4
/// or more characters starting with a letter (`"Alert1"*`) written as the OR of the 1 to kMaxTerms
/// terms of the dictionary it starts, and the words then joined by AND; unchanged when no word
/// was replaced. Reads search_terms through `db` (SQLite).
std::string expand_prefixes(db::Connection& db, std::string_view match);

}  // namespace mock_slack::search_terms
