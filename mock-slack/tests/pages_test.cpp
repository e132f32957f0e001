// The web UI's routes (pages.cpp) against the real store, seeded through POST /webhook.
#include "mock_slack/pages.hpp"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "build_paths.hpp"
#include "helpers.hpp"
#include "mock_slack/watchdog.hpp"
#include "mock_slack_ui/html.hpp"

namespace mock_slack::testing {
namespace {

/// mock-slack in process with the pages registered, on an ephemeral port, with the test clock.
struct WithPages {
  TempDir dir;
  firedrill::Service service{"mock-slack", firedrill::testing::test_settings()};
  Store store{Running::with_path({}, dir), test_now, &service.metrics().registry()};
  Receiver receiver{service, store, {}};
  firedrill::testing::RunningService running{service};

  void post(const json& body) const {
    auto c = running.api();
    auto res = c.Post("/webhook", body.dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
  }
  httplib::Result get(const std::string& path) const {
    auto c = running.api();
    auto res = c.Get(path.c_str());
    REQUIRE(res);
    return res;
  }
  std::string db() const { return (dir.path() / "mock-slack.db").string(); }
};

const std::string kCsp(ui::kContentSecurityPolicy);

/// Two incidents: PortalDown (page, resolved) and DiskFull (warning, firing, receiver "team ops").
void seed(const WithPages& m) {
  set_clock("2026-11-21T21:00:00Z");
  m.post(notification("PortalDown", "firing",
                      json::array({alert("PortalDown", "firing", "2026-11-21T20:58:00Z")})));
  set_clock("2026-11-21T21:10:00Z");
  m.post(notification("PortalDown", "resolved",
                      json::array({alert("PortalDown", "resolved", "2026-11-21T20:58:00Z",
                                         "2026-11-21T21:09:00Z")})));
  set_clock("2026-11-21T21:20:00Z");
  m.post(notification(
      "DiskFull", "firing",
      json::array({alert("DiskFull", "firing", "2026-11-21T21:15:00Z", "0001-01-01T00:00:00Z",
                         {{"severity", "warning"}, {"service", "storage"}})}),
      "team ops"));
  set_clock("2026-11-21T21:30:00Z");
}

int run(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Compares `actual` with tests/golden/`name`, as the UI library's golden test does: with
/// UPDATE_GOLDEN=1 the golden file is rewritten from `actual` first (review the diff before
/// committing it). On a difference, `actual` is written to <build>/mock-slack/`name`.actual, the
/// failure names the first differing line, and stderr has the commands to compare and to accept,
/// unwrapped for copying.
void check_golden(const std::string& actual, const std::string& name,
                  const std::string& test_name) {
  const std::filesystem::path golden =
      std::filesystem::path(firedrill::build_paths::mock_slack_golden_dir) / name;
  const std::filesystem::path out =
      std::filesystem::path(firedrill::build_paths::mock_slack_test_output) / (name + ".actual");
  const std::string accept = "UPDATE_GOLDEN=1 " +
                             std::string(firedrill::build_paths::mock_slack_pages_tests) + " \"" +
                             test_name + "\"";
  if (const char* update = std::getenv("UPDATE_GOLDEN"); update != nullptr && *update == '1') {
    std::ofstream(golden, std::ios::binary) << actual;
    WARN("rewrote " << golden.string());
  }
  const std::string expected = std::filesystem::exists(golden) ? slurp(golden) : std::string();
  std::error_code ec;
  std::filesystem::remove(out, ec);  // no stale output from an earlier failure
  if (actual == expected) return;
  std::ofstream(out, std::ios::binary) << actual;
  std::cerr << "Golden file mismatch. Compare:\n  diff -u " << golden.string() << " "
            << out.string() << "\nIf the change is intended, accept it and review the diff:\n  "
            << accept << "\n";
  const auto want = lines_of(expected);
  const auto got = lines_of(actual);
  std::size_t line = 0;
  while (line < want.size() && line < got.size() && want[line] == got[line]) ++line;
  FAIL(name << " differs from the golden file at line " << line + 1
            << "\n  golden: " << (line < want.size() ? want[line] : std::string("<end of file>"))
            << "\n  actual: " << (line < got.size() ? got[line] : std::string("<end of file>"))
            << "\n(the commands to compare and to accept are on stderr)");
}

/// mock-slack with the pages and the Watchdog's observer (timeout 5s), as main() wires them.
struct WithWatchdog {
  TempDir dir;
  firedrill::Service service{"mock-slack", firedrill::testing::test_settings()};
  Store store{Running::with_path({}, dir), test_now, &service.metrics().registry()};
  Watchdog watchdog{store, timeout_5s(), test_now, &service.metrics().registry()};
  Receiver receiver{service, store, with_banner(watchdog), &watchdog};
  firedrill::testing::RunningService running{service};

  static WatchdogOptions timeout_5s() {
    WatchdogOptions o;
    o.timeout = std::chrono::seconds(5);
    return o;
  }
  static ReceiverOptions with_banner(const Watchdog& w) {
    ReceiverOptions o;
    o.pages.banner = [&w] { return w.banner(); };
    return o;
  }
  httplib::Result get(const std::string& path) const {
    auto c = running.api();
    auto res = c.Get(path.c_str());
    REQUIRE(res);
    return res;
  }
  void heartbeat() const {
    auto c = running.api();
    const json watchdog_alert = alert("Watchdog", "firing", "2026-11-21T20:00:00Z",
                                      "0001-01-01T00:00:00Z", {{"severity", "none"}});
    auto res = c.Post(
        "/heartbeat",
        notification("Watchdog", "firing", json::array({watchdog_alert}), "heartbeat").dump(),
        "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    REQUIRE(json::parse(res->body)["status"] == "heartbeat");
  }
};

TEST_CASE("every page shows the Watchdog's banner while the pipeline is silent",
          "[pages][watchdog]") {
  set_clock("2026-11-21T21:00:00Z");
  WithWatchdog m;
  m.heartbeat();
  const std::vector<std::string> pages{"/", "/channels", "/incidents/999", "/channels/nowhere"};
  const std::string banner =
      "<div class=\"alarm\" role=\"alert\">the alerting pipeline has been silent since "
      "2026-11-21T21:00:00Z (no Watchdog heartbeat for 5s)</div>";
  for (const auto& path : pages) {
    INFO(path);
    CHECK(m.get(path)->body.find("class=\"alarm\"") == std::string::npos);
  }
  set_clock("2026-11-21T21:00:06Z");
  m.watchdog.check();
  for (const auto& path : pages) {
    INFO(path);
    CHECK(m.get(path)->body.find(banner) != std::string::npos);
  }
  // The alarm's own message and incident are on the pages too.
  CHECK(m.get("/channels/pages")->body.find("The alerting pipeline has been silent since") !=
        std::string::npos);
  CHECK(m.get("/incidents/1")->body.find("AlertingPipelineSilent") != std::string::npos);
  set_clock("2026-11-21T21:01:00Z");
  m.heartbeat();
  for (const auto& path : pages) {
    INFO(path);
    CHECK(m.get(path)->body.find("class=\"alarm\"") == std::string::npos);
  }
}

TEST_CASE("every page answers with its content type and the CSP", "[pages]") {
  WithPages m;
  seed(m);
  const std::vector<std::pair<std::string, std::string_view>> pages{
      {"/", ui::kHtmlContentType},
      {"/?status=firing&range=6h", ui::kHtmlContentType},
      {"/incidents/1", ui::kHtmlContentType},
      {"/incidents/1/postmortem.md", ui::kMarkdownContentType},
      {"/channels", ui::kHtmlContentType},
      {"/channels/team-portal", ui::kHtmlContentType},
      {"/static/style.css", ui::kCssContentType}};
  for (const auto& [path, type] : pages) {
    INFO(path);
    auto res = m.get(path);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == type);
    CHECK(res->get_header_value("Content-Security-Policy") == kCsp);
  }
}

TEST_CASE("the timeline lists incidents newest first and applies its filters", "[pages]") {
  WithPages m;
  seed(m);
  SECTION("no filter: both, newest first, counted") {
    auto body = m.get("/")->body;
    // The incident list's entries (the chart links to incidents too).
    const auto disk = body.find(">#2</a>");
    const auto portal = body.find(">#1</a>");
    REQUIRE(disk != std::string::npos);
    REQUIRE(portal != std::string::npos);
    CHECK(disk < portal);
    CHECK(body.find(">DiskFull</a></td>") != std::string::npos);  // titled by alert name
    CHECK(body.find("<strong>2</strong> incidents") != std::string::npos);
    CHECK(body.find("<rect") != std::string::npos);  // the chart has bars
    // One chart row per incident, linked to it; bars name their alert and instance.
    CHECK(body.find("<g class=\"row\"><a href=\"/incidents/2\">") != std::string::npos);
    CHECK(body.find("<g class=\"row\"><a href=\"/incidents/1\">") != std::string::npos);
    CHECK(body.find("<title>DiskFull (") != std::string::npos);
    CHECK(body.find("10.0.0.1:8080") != std::string::npos);
  }
  SECTION("filters select, and the form shows them back") {
    auto body = m.get("/?alertname=DiskFull&severity=warning")->body;
    CHECK(body.find(">#2</a>") != std::string::npos);
    CHECK(body.find(">#1</a>") == std::string::npos);
    CHECK(body.find("<strong>1</strong> incidents") != std::string::npos);
    CHECK(body.find("value=\"DiskFull\"") != std::string::npos);
    auto resolved = m.get("/?status=resolved")->body;
    CHECK(resolved.find(">#1</a>") != std::string::npos);
    CHECK(resolved.find(">#2</a>") == std::string::npos);
    auto matched = m.get("/?matcher=service%3D~%22stor.*%22")->body;
    CHECK(matched.find(">#2</a>") != std::string::npos);
    CHECK(matched.find(">#1</a>") == std::string::npos);
  }
  SECTION("paging with the cursor") {
    auto first = m.get("/?limit=1")->body;
    CHECK(first.find(">#2</a>") != std::string::npos);
    CHECK(first.find(">#1</a>") == std::string::npos);
    const auto at = first.find("cursor=");
    REQUIRE(at != std::string::npos);
    const auto end = first.find_first_of("&\"", at);
    auto second = m.get("/?limit=1&" + first.substr(at, end - at))->body;
    CHECK(second.find(">#1</a>") != std::string::npos);
    CHECK(second.find(">#2</a>") == std::string::npos);
  }
  SECTION("a bad filter is a 400 page naming the parameter") {
    for (const std::string q : {"status=bogus", "matcher=%7Bbroken", "cursor=zzz", "limit=0"}) {
      INFO(q);
      auto res = m.get("/?" + q);
      CHECK(res->status == 400);
      CHECK(res->get_header_value("Content-Security-Policy") == kCsp);
      CHECK(res->body.find(q.substr(0, q.find('='))) != std::string::npos);
    }
  }
}

TEST_CASE("unknown incidents and channels are 404 pages", "[pages]") {
  WithPages m;
  seed(m);
  for (const std::string path : {"/incidents/999", "/incidents/abc", "/incidents/-1",
                                 "/incidents/999/postmortem.md", "/channels/nowhere"}) {
    INFO(path);
    auto res = m.get(path);
    CHECK(res->status == 404);
    CHECK(res->get_header_value("Content-Type") == ui::kHtmlContentType);
    CHECK(res->get_header_value("Content-Security-Policy") == kCsp);
  }
}

TEST_CASE("the incident page's timeline shows the silences of its alerts", "[pages]") {
  WithPages m;
  set_clock("2026-11-21T22:10:00Z");
  m.post(notification("DiskFull", "firing",
                      json::array({alert("DiskFull", "firing", "2026-11-21T22:05:00Z")})));
  // batch-sync finds the alert silenced by s-1; s-2 silences something else.
  set_clock("2026-11-21T22:20:00Z");
  auto c = m.running.api();
  auto synced =
      c.Post("/api/v1/sync",
             json{{"source", "alertmanager"},
                  {"alerts", {gettable_alert("DiskFull", "2026-11-21T22:05:00Z", {"s-1"})}},
                  {"silences",
                   {silence("s-1", "active", "2026-11-21T22:12:00Z", "2026-11-21T22:12:00Z"),
                    silence("s-2", "active", "2026-11-21T22:13:00Z", "2026-11-21T22:13:00Z")}}}
                 .dump(),
             "application/json");
  REQUIRE(synced);
  REQUIRE(synced->status == 200);
  auto page = m.get("/incidents/1");
  REQUIRE(page->status == 200);
  const auto row = page->body.find(
      "<td>2026-11-21 22:12:00Z</td><td>silence</td><td>ops@example.com</td><td "
      "class=\"text\">silence s-1 until 2026-11-22 02:00:00Z: maintenance</td>");
  CHECK(row != std::string::npos);
  CHECK(page->body.find("silence s-2") == std::string::npos);
  CHECK(row > page->body.find("<td>notification</td>"));  // 22:12 after the 22:10 notification
}

TEST_CASE("hostile values are escaped on the real pages", "[pages]") {
  WithPages m;
  set_clock("2026-11-21T21:00:00Z");
  json a = alert("<script>alert(1)</script>", "firing", "2026-11-21T20:58:00Z",
                 "0001-01-01T00:00:00Z", {{"team", "\"><img src=x onerror=alert(2)>"}});
  a["annotations"]["runbook_url"] = "javascript:alert(3)";
  a["annotations"]["summary"] = "<b>bold</b>";
  a["generatorURL"] = "javascript:alert(4)";
  m.post(notification("<script>alert(1)</script>", "firing", json::array({a}), "<i>evil</i>"));
  Message msg;
  msg.channel = "alerts";
  msg.text = "<script>alert(5)</script>";
  msg.attachments = json::array({{{"title", "x"}, {"title_link", "javascript:alert(6)"}}});
  m.store.add_message(msg);

  for (const std::string path :
       {"/", "/incidents/1", "/channels", "/channels/alerts", "/channels/%3Ci%3Eevil%3C%2Fi%3E"}) {
    INFO(path);
    auto res = m.get(path);
    REQUIRE(res->status == 200);
    const std::string& body = res->body;
    CHECK(body.find("<script") == std::string::npos);
    CHECK(body.find("<img") == std::string::npos);
    CHECK(body.find("<i>") == std::string::npos);
    CHECK(body.find("<b>bold") == std::string::npos);
    CHECK(body.find("href=\"javascript:") == std::string::npos);
  }
  const std::string incident = m.get("/incidents/1")->body;
  CHECK(incident.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(incident.find("javascript:alert(3)") != std::string::npos);  // shown as text only
}

TEST_CASE("a receiver's notifications appear in the channel named after it", "[pages]") {
  WithPages m;
  seed(m);
  auto list = m.get("/channels")->body;
  CHECK(list.find("href=\"/channels/team%20ops\"") != std::string::npos);
  CHECK(list.find("href=\"/channels/team-portal\"") != std::string::npos);
  auto ops = m.get("/channels/team%20ops");
  REQUIRE(ops->status == 200);
  CHECK(ops->body.find("[FIRING:1] DiskFull") != std::string::npos);
  CHECK(ops->body.find("PortalDown") == std::string::npos);
  auto portal = m.get("/channels/team-portal")->body;
  CHECK(portal.find("[FIRING:1] PortalDown") != std::string::npos);
  CHECK(portal.find("[RESOLVED] PortalDown") != std::string::npos);
}

TEST_CASE("a Slack message's text is formatted unless it says mrkdwn: false", "[pages]") {
  WithPages m;
  auto c = m.running.api();
  REQUIRE(
      c.Post("/slack/fmt", json{{"text", "*on* by default"}}.dump(), "application/json")->status ==
      200);
  REQUIRE(c.Post("/slack/fmt", json{{"text", "*off* as typed"}, {"mrkdwn", false}}.dump(),
                 "application/json")
              ->status == 200);
  const auto page = m.get("/channels/fmt")->body;
  CHECK(page.find("<strong>on</strong> by default") != std::string::npos);
  CHECK(page.find("*off* as typed") != std::string::npos);
  CHECK(page.find("<strong>off</strong>") == std::string::npos);
}

TEST_CASE("the postmortem draft holds the incident's timeline", "[pages][postmortem]") {
  WithPages m;
  seed(m);
  auto res = m.get("/incidents/1/postmortem.md");
  REQUIRE(res->status == 200);
  const std::string& md = res->body;
  CHECK(md.find("**Firing:** PortalDown") != std::string::npos);
  CHECK(md.find("**Resolved:** PortalDown") != std::string::npos);
  CHECK(md.find("**Detected:** first notification") != std::string::npos);
  CHECK(md.find("| 2026-11-21 21:10:00Z | Notification") != std::string::npos);
  CHECK(md.find("not available") != std::string::npos);  // no Prometheus configured
  CHECK(md.find("DiskFull") == std::string::npos);
}

TEST_CASE("the postmortem draft of a seeded incident matches the golden file",
          "[pages][postmortem][golden]") {
  // Seeded through the webhook into a fresh store on the test clock: two alerts fire, Alertmanager
  // repeats the notification, both resolve. Every time in the draft comes from the test clock or
  // the payloads. Golden file: tests/golden/postmortem_draft.md.
  WithPages m;
  const json firing =
      notification("PortalDown", "firing",
                   json::array({alert("PortalDown", "firing", "2026-11-21T20:58:00Z"),
                                alert("PortalDown", "firing", "2026-11-21T20:59:30Z",
                                      "0001-01-01T00:00:00Z", {{"instance", "10.0.0.2:8080"}})}));
  set_clock("2026-11-21T21:00:05Z");
  m.post(firing);
  set_clock("2026-11-21T21:04:05Z");
  m.post(firing);  // the repeat: same alerts, later
  set_clock("2026-11-21T21:12:35Z");
  m.post(notification(
      "PortalDown", "resolved",
      json::array({alert("PortalDown", "resolved", "2026-11-21T20:58:00Z", "2026-11-21T21:09:00Z"),
                   alert("PortalDown", "resolved", "2026-11-21T20:59:30Z", "2026-11-21T21:12:00Z",
                         {{"instance", "10.0.0.2:8080"}})})));
  set_clock("2026-11-22T09:30:00Z");  // drafted the next morning

  // The route and the command share postmortem_draft(); both must give the golden text.
  auto res = m.get("/incidents/1/postmortem.md");
  REQUIRE(res->status == 200);
  PostmortemCommand c;
  c.db = m.db();
  c.incident = 1;
  c.out = (m.dir.path() / "draft.md").string();
  REQUIRE(run_postmortem_command(c, test_now) == 0);
  CHECK(slurp(c.out) == res->body);
  check_golden(res->body, "postmortem_draft.md",
               "the postmortem draft of a seeded incident matches the golden file");
}

TEST_CASE("mock-slack postmortem writes what the route serves", "[pages][postmortem]") {
  WithPages m;
  seed(m);
  const std::string served = m.get("/incidents/1/postmortem.md")->body;
  PostmortemCommand c;
  c.db = m.db();
  c.incident = 1;
  c.out = (m.dir.path() / "draft.md").string();
  REQUIRE(run_postmortem_command(c, test_now) == 0);
  CHECK(slurp(c.out) == served);
  CHECK_FALSE(
      std::filesystem::exists(m.dir.path() / (".draft.md.tmp-" + std::to_string(getpid()))));

  SECTION("the binary: exit 0 with a draft, 2 for a missing incident or database") {
    const std::string bin = firedrill::build_paths::mock_slack_binary;
    const std::string out = (m.dir.path() / "cli.md").string();
    CHECK(run(bin + " postmortem --db " + c.db + " --incident 1 --out " + out) == 0);
    CHECK(slurp(out).find("**Resolved:** PortalDown") != std::string::npos);
    CHECK(run(bin + " postmortem --db " + c.db + " --incident 42 2>/dev/null") == 2);
    CHECK(run(bin + " postmortem --db " + (m.dir.path() / "none.db").string() +
              " --incident 1 2>/dev/null") == 2);
    CHECK_FALSE(std::filesystem::exists(m.dir.path() / "none.db"));
  }
}

}  // namespace
}  // namespace mock_slack::testing
