#pragma once

/// The search results page, `GET /search?q=`: the search box and what mock-slack's full-text
/// search found (mock-slack/include/mock_slack/search.hpp), each result linked to its incident(s)
/// or channel. Pure; thread-safe; every value HTML-escaped by the template.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui {

struct SearchResultView {
  std::string type;  ///< "alert", "event" or "message"
  UnixMillis time_ms = 0;
  std::string title;
  std::string text;
  std::vector<std::int64_t> incident_ids;  ///< linked as /incidents/{id}
  std::string channel;                     ///< a message's channel, linked as /channels/{name}
};

/// The page for the query `q` (shown in the box as typed). `error` not empty: the query could not
/// be searched (said instead of results). No results: says so.
std::string render_search(std::string_view q, const std::vector<SearchResultView>& results,
                          std::string_view error);

}  // namespace mock_slack::ui
