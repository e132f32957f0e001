// render_search() (src/search_page.cpp): the box keeps the query, results link to their
// incidents or channel, everything escaped, an error said instead of results.
#include "mock_slack_ui/search_page.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "fixtures.hpp"

using namespace mock_slack::ui;
using namespace mock_slack::ui::testing;

TEST_CASE("search page: results linked, values escaped, errors and emptiness said", "[search]") {
  SearchResultView alert{"alert", kT0, "PortalDown firing", "service=portal <b>", {12, 9}, ""};
  SearchResultView message{"message", kT0 + kMinute, "#ops/team", "<script>x</script>",
                           {},        "ops/team"};
  const std::string html = render_search("portal \"<x>\"", {message, alert}, "");
  CHECK(html.find("value=\"portal &quot;&lt;x&gt;&quot;\"") != std::string::npos);
  CHECK(html.find("<a href=\"/incidents/12\">incident 12</a>") != std::string::npos);
  CHECK(html.find("<a href=\"/incidents/9\">incident 9</a>") != std::string::npos);
  CHECK(html.find("<a href=\"/channels/ops%2Fteam\">#ops/team</a>") != std::string::npos);
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("service=portal &lt;b&gt;") != std::string::npos);
  CHECK(html.find("Nothing found") == std::string::npos);

  const std::string none = render_search("zzz", {}, "");
  CHECK(none.find("Nothing found for") != std::string::npos);

  const std::string bad = render_search("\"\"", {}, "q: expected words to search for");
  CHECK(bad.find("role=\"alert\">q: expected words to search for</p>") != std::string::npos);
  CHECK(bad.find("Nothing found") == std::string::npos);

  const std::string blank = render_search("", {}, "");
  CHECK(blank.find("<ol class=\"results\">") == std::string::npos);
  CHECK(blank.find("Nothing found") == std::string::npos);
  CHECK(blank.find("action=\"/search\"") != std::string::npos);
}
