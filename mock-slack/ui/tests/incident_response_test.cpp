// response_of() and render_incident_response() (src/incident_response.cpp), and the incident
// page's merged timeline around them (src/incident_page.cpp).
#include "mock_slack_ui/incident_response.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "fixtures.hpp"
#include "mock_slack_ui/html.hpp"

using namespace mock_slack::ui;
using namespace mock_slack::ui::testing;

namespace {

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the response reads who acknowledged, mitigated and resolved by hand",
          "[html][incident_response]") {
  std::vector<IncidentEventView> events{
      // Out of order on purpose: response_of() sorts by time.
      {kT0 + 9 * kMinute, "carol", "resolved", "resolved by hand"},
      {kT0 + 3 * kMinute, "alice", "acknowledged", "mine"},
      {kT0 + 4 * kMinute, "bob", "acknowledged", "me too"},
      {kT0 + 5 * kMinute, "alice", "note", "restarted the pod"},
      {kT0 + 7 * kMinute, "bob", "mitigated", "traffic drained"},
      {kT0 + 2 * kMinute, "dave", "reopened", "a reopening before any resolution is not one"},
  };
  IncidentResponse r = response_of(events);
  REQUIRE(r.acknowledged);
  CHECK(r.acknowledged->author == "alice");  // the first acknowledgement
  CHECK(r.acknowledged->at_ms == kT0 + 3 * kMinute);
  REQUIRE(r.mitigated);
  CHECK(r.mitigated->author == "bob");
  REQUIRE(r.resolved);
  CHECK(r.resolved->author == "carol");
  CHECK_FALSE(r.reopened);
  CHECK(r.notes == 1);

  events.push_back({kT0 + 11 * kMinute, "dave", "reopened", "it is back"});
  r = response_of(events);
  CHECK_FALSE(r.resolved);
  REQUIRE(r.reopened);
  CHECK(r.reopened->author == "dave");

  CHECK_FALSE(response_of({}).acknowledged);
}

TEST_CASE("the incident page offers the forms to a signed-in user only",
          "[html][incident_response]") {
  IncidentView inc = seeded_incident();
  inc.status = AlertStatus::firing;
  inc.resolved_at_ms.reset();
  inc.events.push_back({kT0 + 3 * kMinute, "alice <a@x>", "acknowledged", "on it"});

  SECTION("not offered: the page says how to enable them") {
    inc.forms.why_not = "Sign in to act: start with --ui-basic-auth-file.";
    const std::string html = render_incident(inc, kT0 + 60 * kMinute);
    CHECK(injection_findings(html) == std::vector<std::string>{});
    CHECK(html.find("<form") == std::string::npos);
    CHECK_THAT(html, Catch::Contains("<p class=\"empty\">Sign in to act: start with "
                                     "--ui-basic-auth-file.</p>"));
    CHECK_THAT(html, Catch::Contains("<dt>Acknowledged</dt><dd>by <strong class=\"author\">alice "
                                     "&lt;a@x&gt;</strong> at 2026-11-21 22:03:00Z</dd>"));
    CHECK_THAT(html, Catch::Contains("<dt>Mitigated</dt><dd>not yet</dd>"));
    CHECK_THAT(html, Catch::Contains("<dt>Resolved by hand</dt><dd>no</dd>"));
  }
  SECTION("offered: one form per kind, each with the token, posting to the page route") {
    inc.forms = {true, "bob \"the builder\"", "1795300000.abc\"def", "", ""};
    const std::string html = render_incident(inc, kT0 + 60 * kMinute);
    // The note's <textarea> is the template's own, the one tag the checker flags.
    CHECK(injection_findings(html) == std::vector<std::string>{"tag <textarea"});
    CHECK(count_of(html, "<form ") == 4);  // acknowledge, note, mitigated, resolve
    CHECK(count_of(html, "<form class=\"event-form event-form-") == 4);
    CHECK(count_of(html, "method=\"post\" action=\"/incidents/42/events\"") == 4);
    CHECK(count_of(html,
                   "<input type=\"hidden\" name=\"csrf\" value=\"1795300000.abc&quot;def\">") == 4);
    for (const char* kind : {"acknowledged", "note", "mitigated", "resolved"}) {
      CHECK(count_of(html, std::string("name=\"kind\" value=\"") + kind + "\"") == 1);
    }
    CHECK(html.find("value=\"reopened\"") == std::string::npos);
    CHECK_THAT(html, Catch::Contains("Signed in as <strong>bob &quot;the builder&quot;</strong>"));
    CHECK(html.find("name=\"author\"") == std::string::npos);  // the author is never a field

    inc.events.push_back({kT0 + 9 * kMinute, "carol", "resolved", "done"});
    const std::string resolved = render_incident(inc, kT0 + 60 * kMinute);
    CHECK(count_of(resolved, "name=\"kind\" value=\"reopened\"") == 1);
    CHECK(resolved.find("value=\"resolved\"") == std::string::npos);
    CHECK_THAT(resolved, Catch::Contains("<dt>Resolved by hand</dt><dd>by <strong "
                                         "class=\"author\">carol</strong> at 2026-11-21 "
                                         "22:09:00Z</dd>"));
  }
}

TEST_CASE("the incident page's timeline merges alerts, silences, notifications and events",
          "[html][incident_response]") {
  IncidentView inc = seeded_incident();
  inc.silences.push_back({"4c2a0f1e", "expired", "ops@example.com", "deploy <window>",
                          kT0 + 3 * kMinute, kT0 + 20 * kMinute});
  inc.events.push_back({kT0 + 4 * kMinute, "alice", "acknowledged", "mine"});
  const std::string html = render_incident(inc, kT0 + 60 * kMinute);
  CHECK(injection_findings(html) == std::vector<std::string>{});
  const std::vector<std::string> rows{
      "<td>2026-11-21 22:00:00Z</td><td>firing</td><td>Alertmanager</td>",
      "<td>2026-11-21 22:01:00Z</td><td>notification</td><td>Alertmanager</td><td "
      "class=\"text\">notification firing to sre-pager</td>",
      "<td>2026-11-21 22:02:00Z</td><td>firing</td>",
      "<td>2026-11-21 22:03:00Z</td><td>silence</td><td>ops@example.com</td><td "
      "class=\"text\">silence 4c2a0f1e until 2026-11-21 22:20:00Z: deploy &lt;window&gt;</td>",
      "<td>2026-11-21 22:04:00Z</td><td>acknowledged</td><td>alice</td>",
      "<td>2026-11-21 22:20:00Z</td><td>silence</td><td>Alertmanager</td><td "
      "class=\"text\">silence 4c2a0f1e expired</td>",
      "<td>2026-11-21 22:30:00Z</td><td>resolved</td>",
      "<td>2026-11-21 22:35:10Z</td><td>notification</td>",
  };
  std::size_t at = html.find("<h2>Timeline (");
  REQUIRE(at != std::string::npos);
  for (const std::string& row : rows) {
    INFO(row);
    const auto found = html.find(row, at);
    REQUIRE(found != std::string::npos);
    at = found;
  }
}
