// The layout every page shares, the banner and the error page (src/page_layout.cpp).
#include <catch2/catch.hpp>
#include <string>

#include "fixtures.hpp"
#include "mock_slack_ui/html.hpp"

using namespace mock_slack::ui;
using namespace mock_slack::ui::testing;

TEST_CASE("auto-refresh is a meta refresh, so it works without JavaScript", "[html]") {
  TimelineQuery q;
  CHECK_FALSE(contains(render_timeline({}, q, kT0), "http-equiv=\"refresh\""));
  q.refresh_seconds = 30;
  const std::string html = render_timeline({}, q, kT0);
  CHECK(contains(html, "<meta http-equiv=\"refresh\" content=\"30\">"));
  CHECK(contains(html, "No incidents match these filters."));
  CHECK(contains(html, "No alert occurrences in this range."));
}

TEST_CASE("the alarm banner sits at the top of the page's main, escaped", "[html][banner]") {
  const std::string page = render_channels({});
  CHECK(with_banner(page, "") == page);
  const std::string html =
      with_banner(page, "the alerting pipeline has been silent since 2026-11-21T22:00:00Z");
  const auto main = html.find("<main>\n");
  REQUIRE(main != std::string::npos);
  CHECK(html.find("<div class=\"alarm\" role=\"alert\">the alerting pipeline has been silent since "
                  "2026-11-21T22:00:00Z</div>") == main + 7);
  const std::string hostile = with_banner(page, "<script>alert(1)</script>");
  CHECK(injection_findings(hostile) == std::vector<std::string>{});
  CHECK(contains(hostile, "&lt;script&gt;alert(1)&lt;/script&gt;"));
}
