// The exports (export_api.cpp, export_rows.cpp) on a real listener and a real SQLite file:
// NDJSON and CSV of incidents (summaries and events) and occurrences across many pages, the
// filters of /api/v1/alerts, RFC 4180 quoting and CSV injection, 400 before any byte, a store
// error mid-stream that the client sees as a broken transfer, and hostile clients (a slow reader,
// a huge range, many at once) that are cut off by the request timeout and the export slots.
#include <SQLiteCpp/SQLiteCpp.h>
#include <sys/resource.h>

#include <set>
#include <sstream>
#include <thread>

#include "../src/export_rows.hpp"
#include "firedrill/hostile_client.hpp"
#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;
using firedrill::testing::RawConnection;

namespace {

/// `count` firing alerts of group `group`, in notifications of at most 400, starting a second
/// apart from `first_start`; each annotation `padding` bytes long.
void ingest_many(const Running& r, const std::string& group, int count, std::size_t padding = 0) {
  for (int done = 0; done < count;) {
    json alerts = json::array();
    for (int i = 0; i < 400 && done < count; ++i, ++done) {
      json a = alert(
          group, "firing",
          alerting::format_time(test_now() - std::chrono::hours(1) + std::chrono::seconds(done)),
          "0001-01-01T00:00:00Z", {{"instance", "i-" + std::to_string(done)}});
      if (padding > 0) a["annotations"]["description"] = std::string(padding, 'x');
      alerts.push_back(std::move(a));
    }
    auto res = r.post("/webhook", notification(group, "firing", std::move(alerts)));
    REQUIRE(res);
    REQUIRE(res->status == 200);
  }
}

std::vector<json> ndjson_lines(const std::string& body) {
  std::vector<json> out;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

/// RFC 4180 records: quoted fields with doubled quotes and embedded CRLF, records ended by CRLF.
std::vector<std::vector<std::string>> csv_records(const std::string& text) {
  std::vector<std::vector<std::string>> out(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      out.back().push_back(std::move(field));
      field.clear();
      out.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  REQUIRE(out.back().empty());  // the last record ended with CRLF
  out.pop_back();
  return out;
}

/// Polls `done` until it holds or `limit` passes.
template <typename F>
bool eventually(F done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

TEST_CASE("the incident export streams every incident with its summary and events", "[export]") {
  ReceiverOptions o;
  o.credentials.bearer_token = "secret";
  Running r(o);
  set_clock("2026-12-01T12:00:00Z");
  const httplib::Headers auth{{"Authorization", "Bearer secret"}};
  // 1,200 incidents: more than two pages of the export.
  for (int n = 0; n < 3; ++n) {
    json batch = json::array();
    for (int i = 0; i < 400; ++i) {
      const int k = n * 400 + i;
      json a =
          alert("A" + std::to_string(k), k % 2 == 0 ? "resolved" : "firing",
                alerting::format_time(test_now() - std::chrono::hours(2) + std::chrono::seconds(k)),
                k % 2 == 0 ? alerting::format_time(test_now() - std::chrono::hours(1))
                           : "0001-01-01T00:00:00Z");
      auto res = r.post("/webhook",
                        notification("A" + std::to_string(k), k % 2 == 0 ? "resolved" : "firing",
                                     json::array({a})),
                        auth);
      REQUIRE(res);
      REQUIRE(res->status == 200);
    }
  }
  auto note = r.post("/api/v1/incidents/7/events",
                     {{"kind", "note"}, {"author", "alice"}, {"text", "=cmd|' /C calc'!A0"}}, auth);
  REQUIRE(note);
  REQUIRE(note->status == 201);
  // Incident 8 (A7, firing since 10:00:07, detected at 12:00:00) is worked by hand; incident 10
  // (A9) is resolved by hand and reopened.
  set_clock("2026-12-01T12:30:00Z");
  const auto event = [&](int incident, const char* kind, const char* author, const char* at) {
    auto res = r.post("/api/v1/incidents/" + std::to_string(incident) + "/events",
                      {{"kind", kind}, {"author", author}, {"text", kind}, {"time", at}}, auth);
    REQUIRE(res);
    REQUIRE(res->status == 201);
  };
  event(8, "acknowledged", "bob", "2026-12-01T12:03:00Z");
  event(8, "acknowledged", "carol", "2026-12-01T12:04:00Z");  // not the first
  event(8, "mitigated", "carol", "2026-12-01T12:10:00Z");
  event(8, "resolved", "bob", "2026-12-01T12:20:00Z");
  event(10, "resolved", "bob", "2026-12-01T12:05:00Z");
  event(10, "reopened", "carol", "2026-12-01T12:06:00Z");
  auto c = r.client();

  SECTION("NDJSON: every incident once, newest first, with events and a duration") {
    auto res = c.Get("/api/v1/incidents/export");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "application/x-ndjson");
    CHECK(res->get_header_value("Transfer-Encoding") == "chunked");
    CHECK(res->get_header_value("Content-Disposition") ==
          "attachment; filename=\"incidents.ndjson\"");
    const auto lines = ndjson_lines(res->body);
    REQUIRE(lines.size() == 1200);
    std::set<std::int64_t> ids;
    for (const auto& l : lines) ids.insert(l["id"].get<std::int64_t>());
    CHECK(ids.size() == 1200);
    CHECK(lines.front()["id"] == 1200);
    CHECK(lines.back()["id"] == 1);
    const json& seventh = lines[1200 - 7];
    REQUIRE(seventh["id"] == 7);
    CHECK(seventh["alertCount"] == 1);
    CHECK(seventh["severity"] == "page");
    CHECK(seventh["services"] == json::array({"portal"}));
    CHECK(seventh["events"].size() == 1);
    CHECK(seventh["events"][0]["author"] == "alice");
    // Incident 7 (alert A6) resolved an hour before now, having started 2h - 6 s before it.
    CHECK(seventh["durationSeconds"] == 3594.0);
    CHECK(lines[1200 - 8]["durationSeconds"].is_null());  // still firing
    // The response figures, as the postmortem draft finds them without Prometheus.
    CHECK(lines[1200 - 8]["response"] == json{{"acknowledgedAt", "2026-12-01T12:03:00Z"},
                                              {"acknowledgedBy", "bob"},
                                              {"mitigatedAt", "2026-12-01T12:10:00Z"},
                                              {"mitigatedBy", "carol"},
                                              {"resolvedAt", "2026-12-01T12:20:00Z"},
                                              {"resolvedBy", "bob"},
                                              {"ttdSeconds", 7193.0},
                                              {"ttaSeconds", 180.0},
                                              {"ttmSeconds", 7793.0},
                                              {"ttrSeconds", 8393.0}});
    // Reopened after a resolution by hand, and still firing: no resolution, no TTR.
    const json& tenth = lines[1200 - 10]["response"];
    CHECK(tenth["resolvedAt"].is_null());
    CHECK(tenth["resolvedBy"].is_null());
    CHECK(tenth["ttrSeconds"].is_null());
    CHECK(tenth["acknowledgedAt"].is_null());
    CHECK(tenth["ttaSeconds"].is_null());
    // Resolved by Alertmanager (its last alert) at 11:00: the time, and nobody's name.
    CHECK(seventh["response"]["resolvedAt"] == "2026-12-01T11:00:00Z");
    CHECK(seventh["response"]["resolvedBy"].is_null());
    CHECK(seventh["response"]["ttrSeconds"] == 3594.0);
  }
  SECTION("the filters of /api/v1/alerts apply") {
    auto res = c.Get("/api/v1/incidents/export?status=firing");
    REQUIRE(res);
    CHECK(ndjson_lines(res->body).size() == 600);
    res = c.Get("/api/v1/incidents/export?alertname=A7");
    REQUIRE(res);
    const auto one = ndjson_lines(res->body);
    REQUIRE(one.size() == 1);
    CHECK(one[0]["alertnames"] == json::array({"A7"}));
    // since/until select what overlaps the range, as the API does.
    res = c.Get("/api/v1/incidents/export?since=2026-12-01T11:00:01Z&until=2026-12-01T11:59:00Z");
    REQUIRE(res);
    CHECK(ndjson_lines(res->body).size() == 600);  // the resolved ones ended at 11:00
  }
  SECTION("CSV: a header, one record per incident, the events as JSON, injection neutralised") {
    auto res = c.Get("/api/v1/incidents/export?format=csv");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    CHECK(res->get_header_value("Content-Type") == "text/csv; charset=utf-8; header=present");
    const auto records = csv_records(res->body);
    REQUIRE(records.size() == 1201);
    CHECK(records[0][0] == "id");
    CHECK(records[0].size() == 27);
    CHECK(records[0][17] == "acknowledgedAt");
    CHECK(records[0][26] == "ttrSeconds");
    const auto& eighth = records[1201 - 8];
    REQUIRE(eighth.size() == 27);
    CHECK(std::vector<std::string>(eighth.begin() + 17, eighth.end()) ==
          std::vector<std::string>{"2026-12-01T12:03:00Z", "bob", "2026-12-01T12:10:00Z", "carol",
                                   "2026-12-01T12:20:00Z", "bob", "7193.0", "180.0", "7793.0",
                                   "8393.0"});
    const auto& seventh = records[1201 - 7];
    REQUIRE(seventh.size() == 27);
    CHECK(seventh[0] == "7");
    CHECK(seventh[15] == "1");
    const json events = json::parse(seventh[16]);
    CHECK(events[0]["text"] == "=cmd|' /C calc'!A0");  // in a JSON cell, which starts with [
  }
}

TEST_CASE("the alert export: CSV quoting and injection, NDJSON, every page", "[export]") {
  Running r;
  set_clock("2026-12-01T12:00:00Z");
  json evil =
      alert("=HYPERLINK(\"http://evil\")", "firing", "2026-12-01T11:00:00Z", "0001-01-01T00:00:00Z",
            {{"service", "@SUM(1+1)"}, {"severity", "-2+3"}, {"note", "a,\"b\"\r\nc"}});
  REQUIRE(r.post("/webhook", notification("evil", "firing", json::array({evil})))->status == 200);
  ingest_many(r, "many", 1100);
  auto c = r.client();

  auto res = c.Get("/api/v1/alerts/export?format=csv&matcher=note%21%3D%22%22");
  REQUIRE(res);
  REQUIRE(res->status == 200);
  const auto records = csv_records(res->body);
  REQUIRE(records.size() == 2);
  const auto& row = records[1];
  REQUIRE(row.size() == 18);
  CHECK(row[3] == "'=HYPERLINK(\"http://evil\")");
  CHECK(row[4] == "'-2+3");
  CHECK(row[5] == "'@SUM(1+1)");
  CHECK(json::parse(row[15])["note"] == "a,\"b\"\r\nc");  // quoted, CRLF kept inside the field
  CHECK(row[7].empty());                                  // no end yet
  CHECK(row[8].empty());

  res = c.Get("/api/v1/alerts/export?service=portal");
  REQUIRE(res);
  const auto lines = ndjson_lines(res->body);
  REQUIRE(lines.size() == 1100);
  std::set<std::int64_t> ids;
  for (const auto& l : lines) ids.insert(l["id"].get<std::int64_t>());
  CHECK(ids.size() == 1100);
  CHECK(lines[0]["labels"]["instance"] == "i-1099");

  CHECK(export_rows::csv_field("plain") == "plain");
  CHECK(export_rows::csv_field("+1") == "'+1");
  CHECK(export_rows::csv_field("\tx") == "'\tx");
  CHECK(export_rows::csv_field("a\"b") == "\"a\"\"b\"");
  CHECK(export_rows::csv_field("") == "");
}

TEST_CASE("bad export parameters get 400 before any byte is streamed", "[export]") {
  Running r;
  auto c = r.client();
  for (const std::string q :
       {"format=xml", "since=yesterday", "until=soon", "since=2h&until=3h", "limit=5", "cursor=abc",
        "status=maybe", "matcher=%7Bbad", "format="}) {
    for (const std::string route : {"/api/v1/incidents/export", "/api/v1/alerts/export"}) {
      auto res = c.Get((route + "?" + q).c_str());
      REQUIRE(res);
      INFO(route << "?" << q << ": " << res->body);
      CHECK(res->status == 400);
      CHECK(!res->has_header("Transfer-Encoding"));
      CHECK(json::parse(res->body)["error"].is_string());
    }
  }
  auto res = c.Get("/api/v1/alerts/export?format=xml");
  CHECK(json::parse(res->body)["error"] == "format: expected \"ndjson\" or \"csv\", got \"xml\"");
}

TEST_CASE("a store error after the first page breaks the transfer instead of truncating it",
          "[export]") {
  Running r;
  set_clock("2026-12-01T12:00:00Z");
  ingest_many(r, "many", 600);
  {
    // An older row whose labels are not JSON: the matcher's json_extract() fails on it, on the
    // second page. (What a damaged file or a bad manual edit would leave.)
    SQLite::Database db(r.store.options().path, SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO occurrences (fingerprint, starts_at, status, alertname, severity, service, "
        "labels, annotations, generator_url, receiver, times_notified, suppressed_state, "
        "silenced_by, inhibited_by, source) VALUES ('broken', 1, 'firing', 'many', 'page', "
        "'portal', '{not json', '{}', '', 'team-portal', 1, 'active', '[]', '[]', 'webhook')");
  }
  RawConnection conn(r.service.api_port());
  REQUIRE(conn.send(
      "GET /api/v1/alerts/export?matcher=instance%3D~%22.%2B%22 HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string raw = conn.receive_all();  // until the server closes the connection
  CHECK(raw.starts_with("HTTP/1.1 200"));
  CHECK(raw.find("Transfer-Encoding: chunked") != std::string::npos);
  // The 500 rows of the first page arrived, and the stream has no last chunk.
  CHECK(raw.find("\"i-599\"") != std::string::npos);
  CHECK(raw.find("\"i-99\"") == std::string::npos);
  CHECK(!raw.ends_with("\r\n0\r\n\r\n"));

  // An HTTP client sees it as a failed transfer, not as a complete body.
  auto c = r.client();
  auto res = c.Get("/api/v1/alerts/export?matcher=instance%3D~%22.%2B%22");
  CHECK(!res);
}

/// `count` slow readers of `path`: each asks and reads nothing, through a 4 KB receive window.
std::vector<std::unique_ptr<RawConnection>> slow_readers(const Running& r, const std::string& path,
                                                         int count) {
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < count; ++i) {
    slow.push_back(std::make_unique<RawConnection>(r.service.api_port()));
    int small = 4096;
    ::setsockopt(slow.back()->fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    REQUIRE(slow.back()->send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  return slow;
}

/// Whether `count` exports have answered 200 (counted before the body: they are streaming).
bool exports_streaming(Running& r, int count) {
  return r.service.metrics().serialize().find(
             "http_requests_total{code=\"200\",handler=\"/api/v1/alerts/export\","
             "method=\"GET\"} " +
             std::to_string(count)) != std::string::npos;
}

/// GET `path`, again while the slots are busy (429): a slot is released when its stream's handler
/// has finished, which may come just after its client has read the end.
httplib::Result export_when_free(httplib::Client& c, const std::string& path) {
  httplib::Result res = c.Get(path.c_str());
  for (int i = 0; i < 300 && res && res->status == 429; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    res = c.Get(path.c_str());
  }
  return res;
}

TEST_CASE("slow readers and huge ranges cannot hold a core, nor the export slots for long",
          "[export][hostile]") {
  // One history of about 9 MB of NDJSON, more than the sockets buffer, served twice: with a long
  // request timeout to see what slow readers hold and cost, then with a short one to see it cut
  // them off. (No step depends on how fast the machine is: the sanitizer build on a loaded
  // machine is many times slower than an optimised one.)
  TempDir dir;
  StoreOptions store;
  store.path = (dir.path() / "mock-slack.db").string();
  const std::string everything =
      "/api/v1/alerts/export?since=1970-01-01T00:00:00Z&until=2100-01-01T00:00:00Z";
  set_clock("2026-12-01T12:00:00Z");

  SECTION("while slow readers hold both slots, others get 429 at once and the process is idle") {
    auto settings = firedrill::testing::test_settings();
    settings.request_timeout = std::chrono::seconds(300);
    Running r({}, store, settings);
    ingest_many(r, "big", 4000, 2000);
    auto slow = slow_readers(r, everything, 2);
    REQUIRE(eventually([&] { return exports_streaming(r, 2); }, std::chrono::seconds(60)));
    auto c = r.client();
    // A third export waits for a slot: 429 with Retry-After, at once.
    auto third = c.Get("/api/v1/alerts/export?status=firing");
    REQUIRE(third);
    CHECK(third->status == 429);
    CHECK(third->get_header_value("Retry-After") == "1");
    // The rest of the API answers meanwhile.
    auto other = c.Get("/api/v1/alerts?limit=1");
    REQUIRE(other);
    CHECK(other->status == 200);

    // Once the streams have filled the sockets' buffers they wait, and cost nothing: the process
    // goes idle (a tenth of a second with under 20 ms of CPU) while the slots are still held.
    double cpu = cpu_seconds();
    bool idle = false;
    for (int i = 0; i < 600 && !idle; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const double now_cpu = cpu_seconds();
      idle = now_cpu - cpu < 0.02;
      cpu = now_cpu;
    }
    REQUIRE(idle);
    // (An export that finishes at once if it gets a slot: a 429 means the slots are still held,
    // idle because the streams wait, not because they ended.)
    auto held = c.Get("/api/v1/alerts/export?alertname=none");
    REQUIRE(held);
    CHECK(held->status == 429);
    // A client that goes away frees its slot: the stream's next write fails.
    slow.clear();
    auto freed = export_when_free(c, "/api/v1/alerts/export?alertname=none");
    REQUIRE(freed);
    CHECK(freed->status == 200);
  }

  SECTION("the request timeout cuts slow readers off, and a huge range is bounded by it") {
    constexpr auto timeout = std::chrono::seconds(3);
    {
      Running ingest({}, store);
      ingest_many(ingest, "big", 4000, 2000);
    }
    auto settings = firedrill::testing::test_settings();
    settings.request_timeout = timeout;
    Running r({}, store, settings);
    auto c = r.client();
    const auto start = std::chrono::steady_clock::now();
    auto slow = slow_readers(r, everything, 2);
    REQUIRE(eventually([&] { return exports_streaming(r, 2); }, std::chrono::seconds(60)));
    // The slots come free once the timeout has cut both streams off, not before: 9 MB cannot fit
    // in the buffers of a 4 KB window.
    REQUIRE(eventually(
        [&] {
          auto res = c.Get("/api/v1/alerts/export?alertname=none");
          return res && res->status == 200;
        },
        std::chrono::seconds(60)));
    CHECK(std::chrono::steady_clock::now() - start >= timeout - std::chrono::milliseconds(100));
    // (What they were sent is not read to its end here: through a 4 KB window that takes a
    // minute. That a stream cut off ends without its last chunk is the store-error case's check.)
    slow.clear();

    // A huge range with a fast reader streams for at most the request timeout (and the page it is
    // writing when the deadline passes, which the next write sees): complete if it fits (an
    // optimised build writes these 9 MB in well under it), else cut off as a broken transfer.
    const auto t0 = std::chrono::steady_clock::now();
    auto all = export_when_free(c, everything);
    CHECK(std::chrono::steady_clock::now() - t0 < timeout + std::chrono::seconds(30));
    if (all) {
      CHECK(all->status == 200);
      CHECK(ndjson_lines(all->body).size() == 4000);
    }
    // And a slot is free again afterwards.
    auto some = export_when_free(c, "/api/v1/alerts/export?matcher=instance%3D~%22i-1..%22");
    REQUIRE(some);
    CHECK(some->status == 200);
    CHECK(ndjson_lines(some->body).size() == 100);
  }
}
