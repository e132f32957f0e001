#include "search_terms.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "mock_slack/search.hpp"
#include "store/db/db.hpp"

namespace mock_slack::search_terms {

namespace {

bool ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

/// SQLite's FTS5 API on `db` (the documented `SELECT fts5(?1)` handshake).
fts5_api* fts5_of(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(s, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(s);
  }
  sqlite3_finalize(s);
  if (api == nullptr) throw std::runtime_error("this SQLite has no FTS5");
  return api;
}

std::string phrase(std::string_view word) {
  std::string out = "\"";
  for (char c : word) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + '"';
}

}  // namespace

bool kept(std::string_view term) {
  if (term.empty() || term.front() < 'a' || term.front() > 'z') return false;
  // Characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one.
  std::size_t characters = 0;
  for (char c : term) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return characters >= 4;
}

struct Collector::Tokenizer {
  fts5_tokenizer api{};
  Fts5Tokenizer* instance = nullptr;
};

Collector::Collector(SQLite::Database& db) : db_(db), tokenizer_(new Tokenizer) {
  fts5_api* api = fts5_of(db.getHandle());
  void* context = nullptr;
  // The tokenizer and arguments of search_occurrences (schema.hpp, migration 9).
  const char* args[] = {"remove_diacritics", "2"};
  if (api->xFindTokenizer(api, "unicode61", &context, &tokenizer_->api) != SQLITE_OK ||
      tokenizer_->api.xCreate(context, args, 2, &tokenizer_->instance) != SQLITE_OK) {
    delete tokenizer_;
    throw std::runtime_error("cannot create FTS5's unicode61 tokenizer");
  }
}

Collector::~Collector() {
  if (tokenizer_->instance != nullptr) tokenizer_->api.xDelete(tokenizer_->instance);
  delete tokenizer_;
}

void Collector::add(std::string_view text) {
  if (text.empty()) return;
  // Many rows repeat a short text (an alert's name, a set of label values): tokenized once.
  if (text.size() <= kShortText) {
    if (short_texts_.find(text) != short_texts_.end()) return;
    if (short_texts_.size() < kShortTexts) short_texts_.emplace(text);
  }
  const auto each = [](void* self, int, const char* token, int bytes, int, int) -> int {
    const std::string_view term(token, static_cast<std::size_t>(bytes));
    auto& terms = static_cast<Collector*>(self)->terms_;
    if (kept(term) && terms.find(term) == terms.end()) terms.emplace(term);
    return SQLITE_OK;
  };
  const int rc = tokenizer_->api.xTokenize(tokenizer_->instance, this, FTS5_TOKENIZE_DOCUMENT,
                                           text.data(), static_cast<int>(text.size()), each);
  if (rc != SQLITE_OK) throw std::runtime_error("FTS5's tokenizer failed");
}

void Collector::save() {
  if (terms_.empty()) return;
  SQLite::Statement insert(db_, "INSERT OR IGNORE INTO search_terms (term) VALUES (?)");
  for (const auto& term : terms_) {
    insert.bind(1, term);
    insert.exec();
    insert.reset();
  }
  terms_.clear();
}

std::string expand_prefixes(db::Connection& db, std::string_view match) {
  const std::vector<SearchWord> words = search_words(match);
  std::vector<std::string> parts;
  bool replaced = false;
  std::unique_ptr<db::Statement> lookup;
  for (const auto& w : words) {
    std::string part = phrase(w.text) + (w.prefix ? "*" : "");
    const bool one_token = w.text.size() >= 4 && ascii_letter(w.text.front()) &&
                           std::all_of(w.text.begin(), w.text.end(),
                                       [](char c) { return ascii_letter(c) || ascii_digit(c); });
    if (w.prefix && one_token) {
      // unicode61 folds ASCII to lower case; the terms it starts sort from it up to the string
      // with its last character one higher.
      std::string from = w.text;
      for (char& c : from) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      std::string to = from;
      ++to.back();
      if (!lookup) {
        lookup = db.prepare(
            db::Sql("SELECT term FROM search_terms WHERE term >= ?1 AND term < ?2 ORDER BY term "
                    "LIMIT ?3"));
      }
      db::Use s(*lookup);
      s->clearBindings();
      s->bind(1, from);
      s->bind(2, to);
      s->bind(3, static_cast<std::int64_t>(kMaxTerms + 1));
      std::vector<std::string> terms;
      while (s->executeStep()) terms.push_back(s->getString(0));
      if (!terms.empty() && terms.size() <= kMaxTerms) {
        part = "(";
        for (std::size_t i = 0; i < terms.size(); ++i) {
          part += (i == 0 ? "" : " OR ") + phrase(terms[i]);
        }
        part += ")";
        replaced = true;
      }
    }
    parts.push_back(std::move(part));
  }
  if (!replaced) return std::string(match);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " AND ") + p;
  return out;
}

}  // namespace mock_slack::search_terms
