#pragma once
// Test doubles and helpers shared by the portal's tests.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "portal/faults.hpp"

extern char** environ;

namespace portal::testing {

/// Records the delays asked for and returns at once.
class RecordingSleeper : public Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds delay) override {
    std::lock_guard lock(mutex_);
    delays_.push_back(delay);
  }
  std::vector<std::chrono::milliseconds> delays() const {
    std::lock_guard lock(mutex_);
    return delays_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::chrono::milliseconds> delays_;
};

/// Holds every delayed request until release(), so a test can fill the API's workers and then
/// look at the ops listener with no timing involved.
class BlockingSleeper : public Sleeper {
 public:
  void sleep_for(std::chrono::milliseconds) override {
    std::unique_lock lock(mutex_);
    ++sleeping_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    --sleeping_;
  }
  void interrupt_all() override { release(); }
  /// Waits until `n` requests are held; false after `limit` (a failing test, not a sync sleep).
  bool wait_for_sleepers(int n, std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return sleeping_ >= n; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    cv_.notify_all();
  }
  ~BlockingSleeper() override { release(); }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int sleeping_ = 0;
  bool released_ = false;
};

/// The value of one sample line of the text exposition format, or -1 when absent.
inline double sample(const std::string& text, const std::string& series) {
  auto pos = text.find("\n" + series + " ");
  if (pos == std::string::npos) return -1;
  pos += series.size() + 2;
  return std::stod(text.substr(pos, text.find('\n', pos) - pos));
}

/// A child process with its stdout and stderr captured.
class ChildProcess {
 public:
  explicit ChildProcess(std::vector<std::string> argv, std::vector<std::string> env = {}) {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::vector<std::string> environment = std::move(env);
    for (char** e = environ; *e != nullptr; ++e) environment.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);
    // The test runner may block signals; the child must start with none blocked.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    int rc = posix_spawn(&pid_, args[0], &actions, &attr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
    ::close(err_);
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  /// Reads stderr lines until one contains `needle`; returns it, or nullopt at end of output or
  /// after `limit`.
  std::optional<std::string> stderr_line_with(
      const std::string& needle, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      auto nl = err_buffer_.find('\n');
      while (nl != std::string::npos) {
        std::string line = err_buffer_.substr(0, nl);
        stderr_ += line + "\n";
        err_buffer_.erase(0, nl + 1);
        if (line.find(needle) != std::string::npos) return line;
        nl = err_buffer_.find('\n');
      }
      if (!read_some(err_, err_buffer_, deadline)) return std::nullopt;
    }
  }
  /// The ports from the kit's "started" log line.
  std::pair<int, int> ports() {
    auto line = stderr_line_with("\"msg\":\"started\"");
    if (!line) throw std::runtime_error("no started line; stderr: " + stderr_);
    auto j = nlohmann::json::parse(*line);
    return {j.at("port").get<int>(), j.value("ops_port", j.at("port").get<int>())};
  }
  void signal(int sig) const { ::kill(pid_, sig); }
  /// Waits for the exit (reading all output meanwhile); returns the exit code, or 128 + signal.
  /// A child still running after `limit` is killed, which fails the test's expectation.
  int wait(std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    bool out_open = true, err_open = true;
    while ((out_open || err_open) && std::chrono::steady_clock::now() < deadline) {
      pollfd p[2] = {{out_open ? out_ : -1, POLLIN, 0}, {err_open ? err_ : -1, POLLIN, 0}};
      if (::poll(p, 2, 100) < 0) break;
      char buf[4096];
      if (p[0].revents != 0) {
        ssize_t n = ::read(out_, buf, sizeof buf);
        if (n <= 0)
          out_open = false;
        else
          stdout_.append(buf, static_cast<std::size_t>(n));
      }
      if (p[1].revents != 0) {
        ssize_t n = ::read(err_, buf, sizeof buf);
        if (n <= 0)
          err_open = false;
        else
          err_buffer_.append(buf, static_cast<std::size_t>(n));
      }
    }
    if (out_open || err_open) ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    stderr_ += err_buffer_;
    err_buffer_.clear();
    return *exit_code_;
  }
  const std::string& stdout_text() const { return stdout_; }
  const std::string& stderr_text() const { return stderr_; }

 private:
  // Appends what is available on `fd` to `to`; false at end of output or past the deadline.
  static bool read_some(int fd, std::string& to, std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    to.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int err_ = -1;
  std::string stdout_;
  std::string stderr_;
  std::string err_buffer_;
  std::optional<int> exit_code_;
};

}  // namespace portal::testing
