#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "mock_slack_ui/html.hpp"

using namespace mock_slack::ui;
using mock_slack::ui::testing::kMinute;
using mock_slack::ui::testing::kT0;

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

/// What a browser sends and cpp-httplib hands the handler: the query string split and decoded.
QueryParams params_of(const std::string& query_string) {
  QueryParams params;
  std::size_t start = 0;
  while (start <= query_string.size() && !query_string.empty()) {
    std::size_t end = query_string.find('&', start);
    if (end == std::string::npos) end = query_string.size();
    const std::string pair = query_string.substr(start, end - start);
    const std::size_t eq = pair.find('=');
    params.emplace(decode(pair.substr(0, eq)),
                   eq == std::string::npos ? "" : decode(pair.substr(eq + 1)));
    start = end + 1;
  }
  return params;
}

}  // namespace

TEST_CASE("timeline filters round-trip through the URL", "[query]") {
  TimelineQuery q;
  SECTION("defaults give an empty query string") {
    CHECK(to_query_string(q).empty());
    CHECK(parse_timeline_query({}).query == q);
  }
  SECTION("every filter, with characters that need encoding") {
    q.status = AlertStatus::firing;
    q.severity = "page";
    q.alertname = "Portal&Down=1 \"x\" <y>";
    q.service = "pörtal/api";
    q.matchers = {R"x(instance=~"10\\..*")x", R"x(env!="dev,prod")x", "a+b=c"};
    q.range = RangePreset::last_7d;
    q.cursor = "eyJpZCI6NDJ9+/=";
    q.limit = 200;
    q.refresh_seconds = 30;
  }
  SECTION("custom range, whole seconds and milliseconds") {
    q.status = AlertStatus::resolved;
    q.range = RangePreset::custom;
    q.since_ms = kT0 - 90 * kMinute;
    q.until_ms = kT0 + 1234;
  }
  SECTION("custom range with only a start") {
    q.range = RangePreset::custom;
    q.since_ms = kT0 + 17'000;
  }
  const std::string qs = to_query_string(q);
  const ParsedTimelineQuery parsed = parse_timeline_query(params_of(qs));
  INFO(qs);
  CHECK(parsed.error.empty());
  CHECK(parsed.query == q);
}

TEST_CASE("timeline query parameters", "[query]") {
  SECTION("bad values name the parameter") {
    CHECK(parse_timeline_query({{"status", "burning"}}).error ==
          "status: must be firing or resolved");
    CHECK(parse_timeline_query({{"range", "2h"}}).error ==
          "range: must be one of 1h, 6h, 24h, 7d, 30d, custom");
    CHECK(parse_timeline_query({{"since", "yesterday"}}).error ==
          "since: must be a UTC time like 2026-11-21T22:00 or Unix milliseconds");
    CHECK(parse_timeline_query({{"until", "2026-02-30T00:00"}}).error.rfind("until:", 0) == 0);
    CHECK(parse_timeline_query({{"limit", "0"}}).error ==
          "limit: must be an integer from 1 to 500");
    CHECK(parse_timeline_query({{"limit", "501"}}).error ==
          "limit: must be an integer from 1 to 500");
    CHECK(parse_timeline_query({{"refresh", "-1"}}).error ==
          "refresh: must be a number of seconds from 0 to 3600");
  }
  SECTION("the form's empty fields mean any") {
    const auto p = parse_timeline_query({{"status", ""},
                                         {"severity", ""},
                                         {"matcher", ""},
                                         {"range", "6h"},
                                         {"since", ""},
                                         {"until", ""}});
    CHECK(p.error.empty());
    CHECK_FALSE(p.query.status);
    CHECK(p.query.matchers.empty());
    CHECK(p.query.range == RangePreset::last_6h);
  }
  SECTION("a preset drops the custom bounds the form still carries") {
    const auto p = parse_timeline_query({{"range", "1h"}, {"since", "2026-11-21T20:00"}});
    CHECK(p.query.range == RangePreset::last_1h);
    CHECK_FALSE(p.query.since_ms);
  }
  SECTION("bounds without a range mean a custom range; datetime-local values are UTC") {
    const auto p =
        parse_timeline_query({{"since", "2026-11-21T20:30"}, {"until", "2026-11-21T22:00:00Z"}});
    CHECK(p.query.range == RangePreset::custom);
    CHECK(p.query.since_ms == kT0 - 90 * kMinute);
    CHECK(p.query.until_ms == kT0);
  }
}

TEST_CASE("the window a query covers", "[query]") {
  TimelineQuery q;
  q.range = RangePreset::last_6h;
  CHECK(resolve_window(q, kT0).since_ms == kT0 - 360 * kMinute);
  CHECK(resolve_window(q, kT0).until_ms == kT0);
  q.range = RangePreset::custom;
  q.since_ms = kT0;
  q.until_ms = kT0 - 60 * kMinute;  // reversed by hand: swapped
  CHECK(resolve_window(q, kT0 + 999).since_ms == kT0 - 60 * kMinute);
  CHECK(resolve_window(q, kT0 + 999).until_ms == kT0);
  q.since_ms.reset();
  q.until_ms.reset();
  CHECK(resolve_window(q, kT0).since_ms == kT0 - 24 * 60 * kMinute);
}

TEST_CASE("safe_url lets only http(s) through", "[query][security]") {
  for (const char* good : {"http://127.0.0.1:9090/graph?g0.expr=up", "https://example.com",
                           "HTTPS://Example.com/a#b", "http://host/path%20with%20space"}) {
    INFO(good);
    CHECK(safe_url(good) == good);
  }
  for (const std::string bad : {"javascript:alert(1)",
                                "JaVaScRiPt:alert(1)",
                                "java\tscript:alert(1)",
                                "java\nscript:alert(1)",
                                " javascript:alert(1)",
                                "\x01javascript:alert(1)",
                                "data:text/html,<script>alert(1)</script>",
                                "vbscript:msgbox(1)",
                                "//evil.example/x",
                                "/relative",
                                "relative",
                                "http:/evil",
                                "http:evil",
                                "https://",
                                "http:///path",
                                "http://\\evil",
                                "http://host/a b",
                                "http://host/\x7f",
                                "https://host/\ttab",
                                "http://ok.example/ javascript:alert(1)",
                                "ftp://host/file",
                                ""}) {
    INFO(bad);
    CHECK(safe_url(bad).empty());
  }
}

TEST_CASE("Alertmanager silence links carry the alert's labels", "[query]") {
  const LabelMap labels{
      {"alertname", "PortalDown"}, {"instance", "10.0.0.1:8080"}, {"severity", "page"}};
  CHECK(silence_url("http://am.example:9093/", labels) ==
        "http://am.example:9093/#/silences/new?filter="
        "%7Balertname%3D%22PortalDown%22%2Cinstance%3D%2210.0.0.1%3A8080%22%2Cseverity%3D%22page%"
        "22%7D");
  SECTION("quotes and backslashes in values are escaped for the matcher syntax") {
    CHECK(silence_url("https://am", {{"alertname", "A"}, {"path", "C:\\\"x\""}}) ==
          "https://am/#/silences/new?filter="
          "%7Balertname%3D%22A%22%2Cpath%3D%22C%3A%5C%5C%5C%22x%5C%22%22%7D");
  }
  SECTION("no link without an http(s) external URL") {
    CHECK(silence_url("javascript:alert(1)//", labels).empty());
    CHECK(silence_url("", labels).empty());
  }
}

TEST_CASE("chart bar geometry", "[query][chart]") {
  // One hour window, 840 units wide from x=120: 14 units per minute.
  const TimeWindow w{kT0, kT0 + 60 * kMinute};
  const UnixMillis now = kT0 + 60 * kMinute;
  SECTION("a resolved occurrence inside the window") {
    const auto bar = chart_bar(kT0 + 15 * kMinute, kT0 + 30 * kMinute, w, now);
    REQUIRE(bar);
    CHECK(bar->x == Approx(330.0));
    CHECK(bar->width == Approx(210.0));
  }
  SECTION("a firing occurrence runs to now") {
    const auto bar = chart_bar(kT0 + 45 * kMinute, std::nullopt, w, kT0 + 50 * kMinute);
    REQUIRE(bar);
    CHECK(bar->x == Approx(750.0));
    CHECK(bar->width == Approx(70.0));
  }
  SECTION("clipped at both edges") {
    const auto bar = chart_bar(kT0 - 30 * kMinute, kT0 + 90 * kMinute, w, now);
    REQUIRE(bar);
    CHECK(bar->x == Approx(120.0));
    CHECK(bar->width == Approx(840.0));
  }
  SECTION("short occurrences keep a visible width, inside the plot") {
    const auto bar = chart_bar(kT0 + 60 * kMinute, kT0 + 60 * kMinute, w, now);
    REQUIRE(bar);
    CHECK(bar->width == Approx(kChartMinBarWidth));
    CHECK(bar->x == Approx(960.0 - kChartMinBarWidth));
  }
  SECTION("outside the window: no bar") {
    CHECK_FALSE(chart_bar(kT0 - 30 * kMinute, kT0 - 1, w, now));
    CHECK_FALSE(chart_bar(kT0 + 61 * kMinute, std::nullopt, w, now + 5 * kMinute));
  }
}

TEST_CASE("safe_link adds mailto: addresses to what safe_url lets through", "[query][security]") {
  CHECK(safe_link("mailto:oncall@example.com") == "mailto:oncall@example.com");
  CHECK(safe_link("MAILTO:oncall@example.com") == "MAILTO:oncall@example.com");
  CHECK(safe_link("https://example.com/runbook") == "https://example.com/runbook");
  CHECK(safe_link("mailto:").empty());
  CHECK(safe_link("mailto:on call@example.com").empty());
  CHECK(safe_link("mailto:a@b\n.com").empty());
  CHECK(safe_link("mailto:" + std::string(9000, 'a')).empty());
  CHECK(safe_link("javascript:alert(1)").empty());
  CHECK(safe_link("//example.com").empty());
}
