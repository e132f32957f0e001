#pragma once
// Debian's Prometheus for tests (the SLI figures, the SLI chart's route): a real server on a
// free loopback port, in a temporary directory, loading the real generated drill SLO rules.

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

namespace mock_slack::ui::testing {

/// Polls `done` every 50 ms until it holds or `deadline` passes.
inline bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

/// A port the kernel handed out just now (Prometheus cannot report the port of :0).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

/// Debian's Prometheus (`binary`) on a free port, scraping the `portal` job at `target_port` (0:
/// none) every 200 ms and evaluating `rules_file` (the real drill SLO rules,
/// alert-rules/drill/slo-portal.rules.yml) every 200 ms, in a temporary directory; stopped when
/// the scope ends.
class RealPrometheus {
 public:
  /// Its scrape interval, which is also its scrape timeout and its evaluation interval.
  static constexpr int kScrapeMs = 200;

  RealPrometheus(std::string binary, const std::string& rules_file, int target_port = 0)
      : binary_(std::move(binary)) {
    static int instances = 0;
    dir_ =
        std::filesystem::temp_directory_path() /
        ("mock-slack-prometheus-" + std::to_string(::getpid()) + "-" + std::to_string(++instances));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::copy_file(rules_file, dir_ / "slo-portal.rules.yml");
    std::ofstream(dir_ / "prometheus.yml")
        << "global:\n  scrape_interval: " << kScrapeMs << "ms\n  scrape_timeout: " << kScrapeMs
        << "ms\n  evaluation_interval: " << kScrapeMs << "ms\n"
        << "rule_files:\n  - slo-portal.rules.yml\n";
    if (target_port != 0) {
      std::ofstream(dir_ / "prometheus.yml", std::ios::app)
          << "scrape_configs:\n  - job_name: portal\n    static_configs:\n"
          << "      - targets: ['127.0.0.1:" << target_port << "']\n";
    }
    // A port taken by someone else between free_port() and Prometheus' bind: try another.
    for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) start();
  }
  ~RealPrometheus() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  RealPrometheus(const RealPrometheus&) = delete;
  RealPrometheus& operator=(const RealPrometheus&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool running() const { return pid_ > 0; }
  std::string log() const {
    std::ifstream in(dir_ / "prometheus.log");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  void start() {
    port_ = free_port();
    const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
    const std::string config = "--config.file=" + (dir_ / "prometheus.yml").string();
    const std::string data = "--storage.tsdb.path=" + (dir_ / "data").string();
    const std::string log_path = (dir_ / "prometheus.log").string();
    const pid_t pid = ::fork();
    if (pid == 0) {
      std::FILE* log = std::freopen(log_path.c_str(), "a", stderr);
      if (log == nullptr) ::_exit(126);
      ::dup2(STDERR_FILENO, STDOUT_FILENO);
      ::execl(binary_.c_str(), "prometheus", config.c_str(), data.c_str(), listen.c_str(),
              "--log.level=warn", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (pid < 0) return;
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(0, 200'000);
    const bool ready = wait_for(
        [&] {
          int status = 0;
          if (::waitpid(pid, &status, WNOHANG) == pid) return true;  // exited: port taken?
          const auto res = c.Get("/-/ready");
          return res && res->status == 200;
        },
        std::chrono::seconds(30));
    int status = 0;
    if (ready && ::waitpid(pid, &status, WNOHANG) == 0) {
      pid_ = pid;
      return;
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }

  std::string binary_;
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace mock_slack::ui::testing
