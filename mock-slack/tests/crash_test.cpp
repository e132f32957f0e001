// The real binary as a child process: SIGKILL in the middle of a stream of notifications, then a
// restart on the same database. Every notification that got a 200 must be there, exactly once.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "build_paths.hpp"
#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

/// mock-slack started as a child on an ephemeral port; killed with SIGKILL when destroyed.
class Child {
 public:
  explicit Child(const std::string& db) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(fds[1], 2);
      ::close(fds[0]);
      ::close(fds[1]);
      ::execl(firedrill::build_paths::mock_slack_binary, "mock-slack", "--listen", "127.0.0.1:0",
              "--db", db.c_str(), "--access-log", "false", "--drain-delay", "0s",
              "--retention-interval", "0", "--threads", "16", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    fd_ = fds[0];
    // The binary logs {"msg":"started",...,"port":N} once it listens.
    std::string line;
    while (port_ == 0) {
      pollfd p{fd_, POLLIN, 0};
      REQUIRE(::poll(&p, 1, 20000) == 1);  // a deadline, not a synchronisation
      char c = 0;
      REQUIRE(::read(fd_, &c, 1) == 1);
      if (c != '\n') {
        line += c;
        continue;
      }
      auto j = json::parse(line, nullptr, false);
      if (!j.is_discarded() && j.value("msg", "") == "started") port_ = j.at("port").get<int>();
      line.clear();
    }
    // Keep draining the log so the child never blocks on a full pipe.
    drain_ = std::thread([fd = fd_] {
      char buf[4096];
      while (::read(fd, buf, sizeof buf) > 0) {
      }
    });
  }
  ~Child() {
    kill(SIGKILL);
    drain_.join();
    ::close(fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void kill(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = 0;
  int fd_ = -1;
  int port_ = 0;
  std::thread drain_;
};

json crash_notification(int sender, int n) {
  json alerts = json::array();
  for (int i = 0; i < 10; ++i) {
    alerts.push_back(alert("Crash", "firing", "2026-11-21T22:00:00Z", "0001-01-01T00:00:00Z",
                           {{"instance", std::to_string(sender) + "-" + std::to_string(n) + "-" +
                                             std::to_string(i)}}));
  }
  auto body = notification("crash", "firing", alerts);
  body["groupKey"] = "crash/" + std::to_string(sender) + "/" + std::to_string(n);
  return body;
}

}  // namespace

TEST_CASE("every acknowledged notification survives SIGKILL, stored exactly once",
          "[integration][crash]") {
  TempDir dir;
  const std::string db = (dir.path() / "crash.db").string();
  constexpr int kSenders = 4;
  constexpr int kKillAfter = 300;  // acknowledgements before the kill

  std::mutex mutex;
  std::condition_variable cv;
  int acknowledged = 0;
  std::vector<std::vector<int>> acked(kSenders);
  std::vector<int> sent(kSenders, 0);
  {
    Child child(db);
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s) {
      senders.emplace_back([&, s, port = child.port()] {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(10);
        for (int n = 0;; ++n) {
          auto res = c.Post("/webhook", crash_notification(s, n).dump(), "application/json");
          sent[static_cast<std::size_t>(s)] = n + 1;
          if (!res) return;  // the server is gone
          if (res->status != 200) continue;
          std::lock_guard lock(mutex);
          acked[static_cast<std::size_t>(s)].push_back(n);
          ++acknowledged;
          cv.notify_all();
        }
      });
    }
    {
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return acknowledged >= kKillAfter; });
    }
    child.kill(SIGKILL);
    for (auto& t : senders) t.join();
  }
  REQUIRE(acknowledged >= kKillAfter);

  Child restarted(db);
  auto client = firedrill::testing::RunningService::client(restarted.port());
  std::map<std::string, json> incidents;
  std::string cursor;
  for (;;) {
    auto res = client.Get(
        ("/api/v1/incidents?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor)).c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    auto page = json::parse(res->body);
    for (auto& i : page["data"]) {
      CHECK(incidents.count(i["groupKey"]) == 0);
      incidents[i["groupKey"]] = i;
    }
    if (page["nextCursor"].is_null()) break;
    cursor = page["nextCursor"];
  }
  std::size_t total_sent = 0;
  for (int s = 0; s < kSenders; ++s) {
    total_sent += static_cast<std::size_t>(sent[static_cast<std::size_t>(s)]);
    for (int n : acked[static_cast<std::size_t>(s)]) {
      const std::string key = "crash/" + std::to_string(s) + "/" + std::to_string(n);
      INFO(key);
      REQUIRE(incidents.count(key) == 1);
      CHECK(incidents[key]["notificationCount"] == 1);
      CHECK(incidents[key]["alertCount"] == 10);
    }
  }
  // Nothing stored twice, and nothing half-written: whatever was stored is complete.
  CHECK(incidents.size() >= static_cast<std::size_t>(acknowledged));
  CHECK(incidents.size() <= total_sent);
  for (auto& [key, i] : incidents) {
    INFO(key);
    CHECK(i["notificationCount"] == 1);
    CHECK(i["alertCount"] == 10);
  }
  restarted.kill(SIGTERM);
}
