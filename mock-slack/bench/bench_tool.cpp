// mock_slack_bench: helpers for bench/receiver.sh.
//   mock_slack_bench populate --db FILE --occurrences N
//       fills a database with a synthetic 90-day history ending now (resolved incidents of 100
//       alerts each over 10 services, 50 alert names, 2,000 instances), through the Store, with a
//       note on every tenth incident and a Slack message for every hundred occurrences (what
//       the search finds besides the occurrences).
//   mock_slack_bench open --db FILE
//       opens (and so migrates) a database and prints how long that took.
//   mock_slack_bench payload --alerts N --prefix P
//       prints one webhook notification with N new firing alerts (the alert storm).
//   mock_slack_bench grow --port PORT --occurrences N [--connections C]
//       posts notifications of 10 new firing alerts each to ONE group on 127.0.0.1:PORT until its
//       incident holds N occurrences, over C keep-alive connections (default 16), and prints the
//       rate over the first and the last tenth of the notifications.
#include <httplib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "firedrill/alerting/payload.hpp"
#include "mock_slack/incident_events.hpp"
#include "mock_slack/store.hpp"

namespace alerting = firedrill::alerting;
using nlohmann::json;

namespace {

std::atomic<std::int64_t> g_now{0};
alerting::TimePoint bench_now() { return alerting::from_unix_ns(g_now.load()); }

int usage() {
  std::cerr << "usage: mock_slack_bench populate --db FILE --occurrences N\n"
               "       mock_slack_bench open --db FILE\n"
               "       mock_slack_bench payload --alerts N --prefix P\n"
               "       mock_slack_bench grow --port PORT --occurrences N [--connections C]\n";
  return 2;
}

const char* arg(int argc, char** argv, const char* name) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == name) return argv[i + 1];
  }
  return nullptr;
}

int populate(const std::string& db, std::int64_t total) {
  mock_slack::StoreOptions o;
  o.path = db;
  o.retention = std::chrono::hours(24 * 365);
  mock_slack::Store store(o, bench_now);
  const std::int64_t end = alerting::to_unix_ns(alerting::system_now());
  const std::int64_t span = std::int64_t{90} * 24 * 3600 * 1'000'000'000;
  const std::int64_t start = end - span;
  constexpr std::int64_t kPerNotification = 100;
  const std::int64_t notifications = (total + kPerNotification - 1) / kPerNotification;
  static constexpr std::array<const char*, 3> kSeverity{"page", "ticket", "warning"};
  std::atomic<std::int64_t> next{0};
  auto worker = [&] {
    for (std::int64_t n = next++; n < notifications; n = next++) {
      alerting::WebhookNotification note;
      note.group_key = "{}/{}:{bench=\"" + std::to_string(n) + "\"}";
      note.status = alerting::AlertStatus::resolved;
      note.receiver = "team-" + std::to_string(n % 5);
      note.group_labels = {{"bench", std::to_string(n)}};
      note.external_url = "http://alertmanager:9093";
      const std::int64_t t0 = start + span / notifications * n;  // no overflow
      for (std::int64_t i = 0; i < kPerNotification && n * kPerNotification + i < total; ++i) {
        const std::int64_t k = n * kPerNotification + i;
        alerting::WebhookAlert a;
        a.status = alerting::AlertStatus::resolved;
        a.labels = {{"alertname", "Alert" + std::to_string(k % 50)},
                    {"service", "svc" + std::to_string(k % 10)},
                    {"severity", kSeverity[static_cast<std::size_t>(k % 3)]},
                    {"instance", "10." + std::to_string(k % 7) + "." + std::to_string(k % 251) +
                                     "." + std::to_string(k % 2000 % 256)},
                    {"job", "job" + std::to_string(k % 20)}};
        a.annotations = {{"summary", "synthetic alert " + std::to_string(k)}};
        a.starts_at = alerting::from_unix_ns(t0 + i * 1'000'000'000);
        a.ends_at = alerting::from_unix_ns(t0 + i * 1'000'000'000 +
                                           (1 + k % 60) * 60 * std::int64_t{1'000'000'000});
        a.fingerprint = alerting::fingerprint(a.labels);
        note.alerts.push_back(std::move(a));
      }
      g_now = t0 + 3600LL * 1'000'000'000;
      store.ingest(note, "bench");
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  // Notes on every tenth incident and Slack messages, spread over the same 90 days.
  static constexpr std::array<const char*, 4> kWords{"rollback", "restarted", "failover",
                                                     "throttled"};
  for (std::int64_t n = 0; n < notifications; n += 10) {
    mock_slack::IncidentEvent e;
    e.incident_id = n + 1;
    e.at = alerting::from_unix_ns(start + span / notifications * n + 600LL * 1'000'000'000);
    e.author = "oncall-" + std::to_string(n % 7);
    e.kind = "note";
    e.text = std::string(kWords[static_cast<std::size_t>(n / 10 % 4)]) + " of svc" +
             std::to_string(n % 10) + " after incident " + std::to_string(n + 1);
    mock_slack::add_incident_event(store, e);
  }
  for (std::int64_t k = 0; k < total; k += 100) {
    mock_slack::Message m;
    m.received_at = alerting::from_unix_ns(start + span / total * k);
    m.channel = "pages";
    m.username = "alertmanager";
    m.text = "[FIRING:100] Alert" + std::to_string(k % 50) + " svc" + std::to_string(k % 10);
    m.attachments = json::array(
        {{{"title", "synthetic notification " + std::to_string(k)}, {"color", "danger"}}});
    m.blocks = json::array();
    g_now = alerting::to_unix_ns(m.received_at);
    store.add_message(m);
  }
  std::cout << "populated " << db << " with " << total << " occurrences in " << notifications
            << " incidents; " << store.size_bytes() / (1024 * 1024) << " MiB\n";
  return 0;
}

int open_db(const std::string& db) {
  mock_slack::StoreOptions o;
  o.path = db;
  const auto t0 = std::chrono::steady_clock::now();
  mock_slack::Store store(o, bench_now);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("opened %s at schema version %d in %.2f s\n", db.c_str(), store.schema_version(), s);
  return 0;
}

int payload(std::int64_t count, const std::string& prefix) {
  alerting::WebhookNotification n;
  n.group_key = "{}/{}:{storm=\"" + prefix + "\"}";
  n.receiver = "storm";
  n.external_url = "http://alertmanager:9093";
  const auto now = alerting::system_now();
  for (std::int64_t i = 0; i < count; ++i) {
    alerting::WebhookAlert a;
    a.labels = {{"alertname", "Storm"},
                {"service", "svc" + std::to_string(i % 10)},
                {"severity", "page"},
                {"instance", prefix + "-" + std::to_string(i)}};
    a.annotations = {{"summary", "storm alert"}};
    a.starts_at = now;
    a.fingerprint = alerting::fingerprint(a.labels);
    n.alerts.push_back(std::move(a));
  }
  std::cout << alerting::to_json(n).dump() << "\n";
  return 0;
}

int grow(int port, std::int64_t occurrences, int connections) {
  constexpr std::int64_t kPerNotification = 10;
  const std::int64_t total = occurrences / kPerNotification;
  using Clock = std::chrono::steady_clock;
  std::vector<Clock::time_point> done(static_cast<std::size_t>(total));
  std::atomic<std::int64_t> next{0}, failures{0};
  const auto start = Clock::now();
  auto worker = [&] {
    httplib::Client client("127.0.0.1", port);
    client.set_keep_alive(true);
    for (std::int64_t n = next++; n < total; n = next++) {
      json alerts = json::array();
      for (std::int64_t i = 0; i < kPerNotification; ++i) {
        const std::int64_t k = n * kPerNotification + i;
        alerting::LabelSet labels{{"alertname", "Grow" + std::to_string(k % 10)},
                                  {"service", "svc" + std::to_string(k % 10)},
                                  {"severity", "page"},
                                  {"instance", "10.0." + std::to_string(k / 256 % 65536) + "." +
                                                   std::to_string(k % 256)}};
        alerts.push_back({{"status", "firing"},
                          {"labels", alerting::to_json(labels)},
                          {"annotations", {{"summary", "a group that grows"}}},
                          {"startsAt", "2026-11-21T22:00:00Z"},
                          {"endsAt", "0001-01-01T00:00:00Z"},
                          {"generatorURL", "http://prometheus:9090/graph"},
                          {"fingerprint", alerting::fingerprint(labels)}});
      }
      const json body{{"version", "4"},
                      {"groupKey", "{}:{bench=\"grow\"}"},
                      {"truncatedAlerts", 0},
                      {"status", "firing"},
                      {"receiver", "bench"},
                      {"groupLabels", {{"bench", "grow"}}},
                      {"commonLabels", json::object()},
                      {"commonAnnotations", json::object()},
                      {"externalURL", "http://alertmanager:9093"},
                      {"alerts", std::move(alerts)}};
      auto res = client.Post("/webhook", body.dump(), "application/json");
      if (!res || res->status != 200) ++failures;
      done[static_cast<std::size_t>(n)] = Clock::now();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < connections; ++t) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  std::sort(done.begin(), done.end());
  const std::int64_t tenth = total / 10;
  auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
  const double first =
      static_cast<double>(tenth) / seconds(done[static_cast<std::size_t>(tenth - 1)] - start);
  const double last = static_cast<double>(tenth) /
                      seconds(done.back() - done[static_cast<std::size_t>(total - tenth - 1)]);
  std::printf("  %lld notifications of %lld alerts to one group in %.1fs; %lld failed\n",
              static_cast<long long>(total), static_cast<long long>(kPerNotification),
              seconds(done.back() - start), static_cast<long long>(failures.load()));
  std::printf("  first tenth: %.0f notifications/s; last tenth: %.0f notifications/s (%+.0f%%)\n",
              first, last, (last - first) / first * 100);
  return failures.load() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  try {
    if (mode == "populate") {
      const char* db = arg(argc, argv, "--db");
      const char* n = arg(argc, argv, "--occurrences");
      if (db == nullptr || n == nullptr) return usage();
      return populate(db, std::atoll(n));
    }
    if (mode == "open") {
      const char* db = arg(argc, argv, "--db");
      if (db == nullptr) return usage();
      return open_db(db);
    }
    if (mode == "payload") {
      const char* n = arg(argc, argv, "--alerts");
      const char* prefix = arg(argc, argv, "--prefix");
      if (n == nullptr) return usage();
      return payload(std::atoll(n), prefix != nullptr ? prefix : "storm");
    }
    if (mode == "grow") {
      const char* port = arg(argc, argv, "--port");
      const char* n = arg(argc, argv, "--occurrences");
      const char* c = arg(argc, argv, "--connections");
      if (port == nullptr || n == nullptr || std::atoll(n) < 100) return usage();
      return grow(std::atoi(port), std::atoll(n), c != nullptr ? std::atoi(c) : 16);
    }
  } catch (const std::exception& e) {
    std::cerr << "mock_slack_bench: " << e.what() << "\n";
    return 1;
  }
  return usage();
}
