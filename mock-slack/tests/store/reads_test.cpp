// The store's reads on both back ends (src/store/queries.cpp, page_reads.cpp, read_side.hpp): one
// body, run on a SQLite file and on a real PostgreSQL server, with the same history written
// through the store, and the same answers expected from both: the order (ties by id), the paging
// across a time range's two phases, every kind of matcher (in fd_match() on SQLite, in process on
// PostgreSQL), the counts, the details, the messages and the silences.
#include <catch2/catch.hpp>

#include "../../src/store/read_side.hpp"
#include "backends.hpp"
#include "mock_slack/store.hpp"
#include "store_helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

const std::string kZero = "0001-01-01T00:00:00Z";

alerting::TimePoint at(const std::string& rfc3339) { return *alerting::parse_time(rfc3339); }

/// A store on the back end, its history written through it: two groups to two receivers, with
/// occurrences that started inside and before the tests' ranges, a tie in start time, and
/// firing and resolved ones.
struct History {
  explicit History(db::Dialect d) : backend(d) {
    set_clock("2026-11-21T23:00:00Z");
    StoreOptions o;
    o.path = backend.location();
    store = std::make_unique<Store>(o, test_now);
    store->ingest(
        alerting::parse_webhook_json(notification(
            "G1", "firing",
            {alert("DiskFull", "resolved", "2026-11-21T21:00:00Z", "2026-11-21T21:30:00Z",
                   {{"instance", "host-1"}}),
             alert("DiskFull", "firing", "2026-11-21T21:10:00Z", kZero, {{"instance", "host-2"}}),
             alert("DiskFull", "firing", "2026-11-21T21:10:00Z", kZero, {{"instance", "host-4"}}),
             alert("Latency", "firing", "2026-11-21T21:20:00Z", kZero,
                   {{"instance", "host-3"}, {"service", "web"}})})),
        "h1");
    store->ingest(alerting::parse_webhook_json(
                      notification("G2", "resolved",
                                   {alert("Disk", "resolved", "2026-11-21T20:00:00Z",
                                          "2026-11-21T22:00:00Z", {{"instance", "db-1"}}),
                                    alert("Disk", "resolved", "2026-11-21T19:00:00Z",
                                          "2026-11-21T20:30:00Z", {{"instance", "db-2"}})},
                                   "team-db")),
                  "h2");
  }
  Backend backend;
  std::unique_ptr<Store> store;
};

AlertFilter matching(std::initializer_list<const char*> matchers) {
  AlertFilter f;
  for (const char* m : matchers) f.matchers.push_back(alerting::parse_matcher(m));
  return f;
}

std::string instance_of(const Occurrence& o) { return o.labels.value("instance", ""); }
std::string instance_of(const OccurrenceBar& b) { return b.instance; }

/// Every page of a listing with `limit` rows a page, following the cursors; checks that each page
/// but the last is full and has a cursor, and the last has none.
template <typename T, typename Read>
std::vector<T> every_page(AlertFilter f, std::size_t limit, Read read) {
  f.limit = limit;
  std::vector<T> out;
  for (int pages = 0; pages < 100; ++pages) {
    Page<T> page = read(f);
    out.insert(out.end(), page.items.begin(), page.items.end());
    if (!page.next) return out;
    CHECK(page.items.size() == limit);
    f.cursor = page.next;
  }
  FAIL("more than 100 pages");
  return out;
}

template <typename T>
std::vector<std::string> instances(const std::vector<T>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(instance_of(r));
  return out;
}

using Names = std::vector<std::string>;

/// The instances of the alerts under `f`, read in pages of 1, of 2 and of 100; all three must
/// agree, and the bars must list the same occurrences.
Names alert_instances(const Store& s, const AlertFilter& f) {
  auto alerts = [&](const AlertFilter& g) { return s.alerts(g); };
  const Names all = instances(every_page<Occurrence>(f, 100, alerts));
  CHECK(instances(every_page<Occurrence>(f, 1, alerts)) == all);
  CHECK(instances(every_page<Occurrence>(f, 2, alerts)) == all);
  auto bars = [&](const AlertFilter& g) { return s.alert_bars(g); };
  CHECK(instances(every_page<OccurrenceBar>(f, 2, bars)) == all);
  return all;
}

Names incident_groups(const Store& s, const AlertFilter& f) {
  auto read = [&](const AlertFilter& g) { return s.incidents(g); };
  Names out;
  for (const auto& i : every_page<Incident>(f, 1, read)) {
    out.push_back(i.group_labels.value("alertname", ""));
  }
  Names all;
  for (const auto& i : s.incidents(f).items) all.push_back(i.group_labels.value("alertname", ""));
  CHECK(out == all);
  return out;
}

/// The counts agree with the listings of the same filter.
void check_counts(const Store& s, AlertFilter f) {
  CAPTURE(f.status, f.alertname, f.matchers.size());
  const AlertCounts c = s.counts(f);
  f.limit = 1000;
  const auto incidents = s.incidents(f).items;
  // The receiver filters incidents only, in the counts.
  f.receiver.clear();
  const auto alerts = s.alerts(f).items;
  CHECK(c.occurrences == static_cast<std::int64_t>(alerts.size()));
  std::int64_t firing = 0;
  for (const auto& a : alerts) firing += a.status == "firing" ? 1 : 0;
  if (f.status != "resolved") CHECK(c.occurrences_firing == firing);
  CHECK(c.incidents == static_cast<std::int64_t>(incidents.size()));
  std::int64_t open = 0;
  for (const auto& i : incidents) open += i.status == "firing" ? 1 : 0;
  CHECK(c.incidents_firing == open);
}

}  // namespace

TEST_CASE("reads: alerts newest first, ties by id, paged across a range's two phases",
          "[store][reads][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  History h(dialect);
  const Store& s = *h.store;
  AlertFilter f;
  CHECK(alert_instances(s, f) == Names{"host-3", "host-4", "host-2", "host-1", "db-1", "db-2"});
  // Started inside the range, then started before it and still open at its start.
  f.since = at("2026-11-21T21:00:00Z");
  CHECK(alert_instances(s, f) == Names{"host-3", "host-4", "host-2", "host-1", "db-1"});
  f.since = at("2026-11-21T20:15:00Z");
  f.until = at("2026-11-21T21:05:00Z");
  CHECK(alert_instances(s, f) == Names{"host-1", "db-1", "db-2"});
  AlertFilter firing;
  firing.status = "firing";
  CHECK(alert_instances(s, firing) == Names{"host-3", "host-4", "host-2"});
  AlertFilter resolved;
  resolved.status = "resolved";
  CHECK(alert_instances(s, resolved) == Names{"host-1", "db-1", "db-2"});
  AlertFilter db;
  db.receiver = "team-db";
  CHECK(alert_instances(s, db) == Names{"db-1", "db-2"});
  AlertFilter disk;
  disk.alertname = "DiskFull";
  disk.severity = "page";
  CHECK(alert_instances(s, disk) == Names{"host-4", "host-2", "host-1"});
  for (const auto& filter : {AlertFilter{}, f, firing, resolved, disk}) check_counts(s, filter);
}

TEST_CASE("reads: every kind of matcher selects the same alerts on both back ends",
          "[store][reads][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  History h(dialect);
  const Store& s = *h.store;
  AlertFilter f = matching({"instance=~\"host-[24]|db-.*\""});
  f.since = at("2026-11-21T21:00:00Z");
  CHECK(alert_instances(s, f) == Names{"host-4", "host-2", "db-1"});
  CHECK(alert_instances(s, matching({"instance!~\"host-.*\""})) == Names{"db-1", "db-2"});
  AlertFilter not_one = matching({"instance!=\"host-1\""});
  not_one.alertname = "DiskFull";
  CHECK(alert_instances(s, not_one) == Names{"host-4", "host-2"});
  // RE2's syntax, anchored as Alertmanager anchors it.
  CHECK(alert_instances(s, matching({"instance=~\"(?i)HOST-3\""})) == Names{"host-3"});
  CHECK(alert_instances(s, matching({"instance=~\"host\""})).empty());
  // A missing label matches as "".
  CHECK(alert_instances(s, matching({"team=\"\""})).size() == 6);
  CHECK(alert_instances(s, matching({"team!=\"\""})).empty());
  CHECK(alert_instances(s, matching({"alertname=\"DiskFull\"", "instance=~\"host-1\""})) ==
        Names{"host-1"});
  CHECK(alert_instances(s, matching({"service=\"web\"", "instance=~\"host-.*\""})) ==
        Names{"host-3"});
  const auto none = s.alerts(matching({"instance=\"nope\""}));
  CHECK(none.items.empty());
  CHECK_FALSE(none.next);
  for (const auto& filter :
       {f, matching({"instance!~\"host-.*\""}), not_one, matching({"instance=\"nope\""}),
        matching({"instance=~\"host-[13]\""})}) {
    check_counts(s, filter);
  }
  SECTION("the bars carry their incident and instance") {
    const auto bars = s.alert_bars(matching({"instance=~\"host-3|db-2\""})).items;
    REQUIRE(bars.size() == 2);
    CHECK(bars[0].instance == "host-3");
    CHECK(bars[0].alertname == "Latency");
    CHECK(bars[0].status == "firing");
    CHECK_FALSE(bars[0].ends_at);
    CHECK(bars[1].instance == "db-2");
    CHECK(bars[1].status == "resolved");
    CHECK(bars[1].ends_at == at("2026-11-21T20:30:00Z"));
    CHECK(bars[0].incident_id != 0);
    CHECK(bars[1].incident_id != 0);
    CHECK(bars[0].incident_id != bars[1].incident_id);
  }
}

TEST_CASE("reads: an incident matches when one of its occurrences meets every condition",
          "[store][reads][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  History h(dialect);
  const Store& s = *h.store;
  CHECK(incident_groups(s, {}) == Names{"G1", "G2"});
  CHECK(incident_groups(s, matching({"instance=~\"host-3\""})) == Names{"G1"});
  CHECK(incident_groups(s, matching({"instance=~\"db-.*\""})) == Names{"G2"});
  CHECK(incident_groups(s, matching({"instance=~\".+\""})) == Names{"G1", "G2"});
  AlertFilter both = matching({"instance=~\"host-3\""});
  both.alertname = "DiskFull";
  CHECK(incident_groups(s, both).empty());
  both.alertname = "Latency";
  CHECK(incident_groups(s, both) == Names{"G1"});
  AlertFilter firing = matching({"instance=~\".+\""});
  firing.status = "firing";
  CHECK(incident_groups(s, firing) == Names{"G1"});
  AlertFilter on_db = matching({"instance!=\"x\""});
  on_db.receiver = "team-db";
  CHECK(incident_groups(s, on_db) == Names{"G2"});
  AlertFilter by_name;
  by_name.alertname = "Disk";
  CHECK(incident_groups(s, by_name) == Names{"G2"});
  CHECK(incident_groups(s, matching({"service=\"web\""})) == Names{"G1"});
  for (const auto& filter : {both, firing, on_db, by_name, matching({"instance=~\"db-2\""})}) {
    check_counts(s, filter);
  }

  SECTION("an incident's detail: its occurrences by start, its notifications") {
    const auto g1 = s.incidents(matching({"instance=~\"host-3\""})).items.at(0);
    const auto d = s.incident(g1.id);
    REQUIRE(d);
    CHECK(d->incident.id == g1.id);
    CHECK(d->incident.status == "firing");
    CHECK(d->incident.alertnames == Names{"DiskFull", "Latency"});
    CHECK(d->incident.services == Names{"portal", "web"});
    CHECK(d->incident.alert_count == 4);
    CHECK(d->incident.firing_count == 3);
    CHECK(instances(d->occurrences) == Names{"host-1", "host-2", "host-4", "host-3"});
    REQUIRE(d->notifications.size() == 1);
    CHECK(d->notifications[0].receiver == "team-portal");
    CHECK(d->notifications[0].incident_id == g1.id);
    CHECK(d->notifications[0].body_sha256 == "h1");
    CHECK(d->notifications[0].common_labels == json{{"service", "portal"}});
    CHECK_FALSE(s.incident(g1.id + 1000));
  }
  SECTION("one occurrence by fingerprint and start") {
    const auto listed = s.alerts(matching({"instance=\"db-1\""})).items.at(0);
    const auto o = s.occurrence(listed.fingerprint, listed.starts_at);
    REQUIRE(o);
    CHECK(o->id == listed.id);
    CHECK(o->labels == listed.labels);
    CHECK(o->annotations == json{{"summary", "Disk summary"}});
    CHECK(o->ends_at == at("2026-11-21T22:00:00Z"));
    CHECK(o->resolved_by == "webhook");
    CHECK(o->silenced_by == json::array());
    CHECK_FALSE(s.occurrence(listed.fingerprint, at("2026-11-21T20:00:01Z")));
  }
}

TEST_CASE("reads: messages, channels and receivers", "[store][reads][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  History h(dialect);
  Store& s = *h.store;
  std::vector<std::int64_t> ids;
  for (const char* channel : {"#b", "#a", "#B", "#b"}) {
    Message m;
    m.channel = channel;
    m.username = "bot";
    m.text = std::string("to ") + channel;
    m.attachments = json::array({json{{"color", "danger"}, {"text", "x"}}});
    m.blocks = json::array();
    m.mrkdwn = std::string(channel) != "#a";
    ids.push_back(s.add_message(m));
  }
  MessageFilter all;
  all.limit = 3;
  auto page = s.messages(all);
  REQUIRE(page.items.size() == 3);
  CHECK(page.items[0].id == ids[3]);
  CHECK(page.items[2].id == ids[1]);
  CHECK(page.items[2].channel == "#a");
  CHECK_FALSE(page.items[2].mrkdwn);
  CHECK(page.items[0].mrkdwn);
  CHECK(page.items[0].attachments == json::array({json{{"color", "danger"}, {"text", "x"}}}));
  REQUIRE(page.next);
  all.cursor = page.next;
  page = s.messages(all);
  REQUIRE(page.items.size() == 1);
  CHECK(page.items[0].id == ids[0]);
  CHECK_FALSE(page.next);
  MessageFilter b;
  b.channel = "#b";
  CHECK(s.messages(b).items.size() == 2);
  // By the names' bytes on both: upper case first.
  const auto channels = s.channels();
  REQUIRE(channels.size() == 3);
  CHECK(channels[0].name == "#B");
  CHECK(channels[1].name == "#a");
  CHECK(channels[2].name == "#b");
  CHECK(channels[2].messages == 2);
  CHECK(channels[2].last_message_at == test_now());

  const auto receivers = s.receiver_channels();
  REQUIRE(receivers.size() == 2);
  CHECK(receivers[0].name == "team-db");
  CHECK(receivers[1].name == "team-portal");
  CHECK(receivers[1].messages == 1);

  const auto delivered = s.receiver_notifications("team-portal", 10, 2);
  REQUIRE(delivered.size() == 1);
  CHECK(delivered[0].notification.status == "firing");
  REQUIRE(delivered[0].alerts.size() == 2);  // at most max_alerts, by start
  CHECK(instance_of(delivered[0].alerts[0]) == "host-1");
  CHECK(delivered[0].alerts[0].status == "resolved");
  CHECK(delivered[0].alerts[0].ends_at == at("2026-11-21T21:30:00Z"));
  CHECK(instance_of(delivered[0].alerts[1]) == "host-2");
  CHECK(delivered[0].alerts[1].status == "firing");
  CHECK(s.receiver_notifications("nobody", 10, 10).empty());
}

TEST_CASE("reads: silences paged by start, ties in the order they were first synced",
          "[store][reads][silences][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  History h(dialect);
  Store& s = *h.store;
  const std::string t0 = "2026-11-21T22:00:00Z";
  s.sync(gettable_alerts({gettable_alert("A", "2026-11-21T22:01:00Z", {"s-b"})}),
         silences({silence("s-b", "active", t0, t0), silence("s-a", "active", t0, t0),
                   silence("s-c", "pending", t0, "2026-11-21T22:30:00Z")}));
  std::vector<std::string> order;
  SilenceFilter f;
  f.limit = 1;
  for (int i = 0; i < 10; ++i) {
    const auto page = s.silences(f);
    for (const auto& silence : page.items) order.push_back(silence.id);
    if (!page.next) break;
    f.cursor = page.next;
  }
  CHECK(order == Names{"s-c", "s-a", "s-b"});
  const auto all = s.silences({}).items;
  REQUIRE(all.size() == 3);
  CHECK(all[2].id == "s-b");
  CHECK(all[2].occurrence_ids.size() == 1);
  CHECK(all[2].matchers.size() == 2);
  CHECK(all[1].occurrence_ids.empty());
  // By start, ties by id.
  const auto by_id = s.silences_by_id({"s-c", "s-b", "s-a", "s-none"});
  REQUIRE(by_id.size() == 3);
  CHECK(by_id[0].id == "s-a");
  CHECK(by_id[1].id == "s-b");
  CHECK(by_id[2].id == "s-c");
  CHECK(by_id[2].state == "pending");
}

TEST_CASE("reads: a matcher that selects few of many rows pages through all of them",
          "[store][reads][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  Backend backend(dialect);
  set_clock("2026-11-22T12:00:00Z");
  StoreOptions o;
  o.path = backend.location();
  Store s(o, test_now);
  // 3000 occurrences, a second apart: more than two of PostgreSQL's largest batches.
  constexpr int kRows = 3000;
  const auto base = at("2026-11-22T00:00:00Z");
  for (int first = 0; first < kRows; first += 250) {
    json alerts = json::array();
    for (int i = first; i < first + 250; ++i) {
      alerts.push_back(alert("Storm", "firing",
                             alerting::format_time(base + std::chrono::seconds(i)), kZero,
                             {{"instance", "host-" + std::to_string(i)}}));
    }
    s.ingest(alerting::parse_webhook_json(notification("Storm", "firing", alerts)), "h");
  }
  // The oldest two match, and the newest one.
  const AlertFilter few = matching({"instance=~\"host-(0|1|2999)\""});
  CHECK(alert_instances(s, few) == Names{"host-2999", "host-1", "host-0"});
  check_counts(s, few);
  AlertFilter until = few;
  until.until = base + std::chrono::seconds(2998);
  CHECK(alert_instances(s, until) == Names{"host-1", "host-0"});
  // All are firing, so all overlap a range that starts after them.
  AlertFilter since = few;
  since.since = base + std::chrono::seconds(2999);
  CHECK(alert_instances(s, since) == Names{"host-2999", "host-1", "host-0"});
  const auto none = s.alerts(matching({"instance=\"host-x\""}));
  CHECK(none.items.empty());
  CHECK_FALSE(none.next);
  CHECK(s.counts(matching({"instance=\"host-x\""})).occurrences == 0);
  CHECK(s.counts(matching({"instance=~\"host-1.*\""})).occurrences == 1111);
  CHECK(incident_groups(s, matching({"instance=~\"host-2999\""})) == Names{"Storm"});
  CHECK(incident_groups(s, matching({"instance=~\"host-3000\""})).empty());
}

TEST_CASE("reads: the store's size and schema version", "[store][reads][pg]") {
  const auto dialect = GENERATE(db::Dialect::sqlite, db::Dialect::postgres);
  CAPTURE(name_of(dialect));
  History h(dialect);
  CHECK(h.store->schema_version() == kSchemaVersion);
  CHECK(h.store->size_bytes() > 0);
}

TEST_CASE("reads: PostgreSQL plans each statement for its values, reads and writes",
          "[store][reads][pg]") {
  History h(db::Dialect::postgres);
  const auto mode = [](db::Connection& c) {
    auto s = c.prepare("SELECT current_setting('plan_cache_mode')");
    REQUIRE(s->executeStep());
    return s->getString(0);
  };
  std::string read_mode;
  std::string write_mode;
  h.store->read_db([&](db::Connection& c) { read_mode = mode(c); });
  h.store->write_db([&](db::Connection& c) { write_mode = mode(c); });
  CHECK(read_mode == "force_custom_plan");
  CHECK(write_mode == "force_custom_plan");
}

TEST_CASE("reads: a PostgreSQL server that goes away answers StoreUnavailable until it is back",
          "[store][reads][pg]") {
  History h(db::Dialect::postgres);
  const Store& s = *h.store;
  REQUIRE(s.alerts({}).items.size() == 6);
  h.backend.server()->stop();
  CHECK_THROWS_AS(s.alerts({}), StoreUnavailable);
  CHECK_THROWS_AS(s.counts({}), StoreUnavailable);
  h.backend.server()->start();
  // The pooled connection reconnects on its next use.
  CHECK(s.alerts({}).items.size() == 6);
  CHECK(s.counts({}).occurrences == 6);
}
