// GET /api/v1/search?q= (JSON) and the page GET /search?q= (rows of routes.cpp's table;
// tests/search_api_test.cpp): free-text search (search.hpp). A query FTS5 cannot take, or one
// with nothing to search for, gets 400 naming `q`, never 500.
#include <stdexcept>

#include "firedrill/text.hpp"
#include "mock_slack/receiver.hpp"
#include "mock_slack/search.hpp"
#include "mock_slack/view_mapping.hpp"
#include "mock_slack_ui/search_page.hpp"

namespace mock_slack {

using firedrill::cut;
using firedrill::http::error_response;
using firedrill::http::json_response;
using nlohmann::json;

namespace {

constexpr std::size_t kDefaultSearchLimit = 50;

std::size_t search_limit(const firedrill::http::Request& req) {
  auto v = req.query("limit");
  if (!v) return kDefaultSearchLimit;
  const auto n = v->size() <= 4 ? firedrill::parse_decimal<std::size_t>(*v) : std::nullopt;
  if (!n || *n < 1 || *n > kMaxSearchLimit) {
    throw std::invalid_argument("limit: expected an integer from 1 to " +
                                std::to_string(kMaxSearchLimit) + ", got \"" + cut(*v) + "\"");
  }
  return *n;
}

}  // namespace

void Receiver::search_api(const Request& req, Response& res) {
  const std::string q = req.query("q").value_or("");
  std::vector<SearchHit> hits;
  try {
    const std::size_t limit = search_limit(req);
    hits = search(store_, fts_query(q), limit);
  } catch (const std::invalid_argument& e) {
    error_response(res, 400, e.what());
    return;
  } catch (const StoreUnavailable& e) {
    error_response(res, 503, e.what());
    return;
  }
  json data = json::array();
  for (const SearchHit& h : hits) data.push_back(to_json(h));
  json_response(res, 200, {{"query", q}, {"data", std::move(data)}});
}

void Receiver::search_page(const Request& req, Response& res) {
  const std::string q = req.query("q").value_or("");
  if (q.find_first_not_of(" \t\r\n\f") == std::string::npos) {
    page(res, 200, ui::render_search("", {}, ""));  // the empty search box
    return;
  }
  std::vector<ui::SearchResultView> results;
  std::string error;
  try {
    for (const SearchHit& h : search(store_, fts_query(q), kDefaultSearchLimit)) {
      results.push_back({h.type, to_unix_ms(h.time), h.title, h.text, h.incident_ids, h.channel});
    }
  } catch (const std::invalid_argument& e) {
    error = e.what();
  } catch (const StoreUnavailable& e) {
    page_failure(res, 503, "Search unavailable", e.what());
    return;
  }
  page(res, error.empty() ? 200 : 400, ui::render_search(q, results, error));
}

}  // namespace mock_slack
