#include "auto_healer/local_backend.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace auto_healer {

namespace {

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

}  // namespace

LocalBackend::LocalBackend(LocalConfig config) : config_(std::move(config)) {}

std::optional<Workload> LocalBackend::find(const Target& target, std::string& error) {
  if (target.namespace_name != config_.namespace_name ||
      !config_.components.contains(target.name)) {
    error = target.key() + " is not a component the local backend restarts (--local-components)";
    return std::nullopt;
  }
  Workload w;
  w.target = target;
  w.labels = {{config_.selector_label, config_.selector_value}};
  return w;
}

Outcome LocalBackend::restart(const Workload& workload, bool dry_run) {
  if (dry_run) return Outcome::success();
  if (config_.restart_command.empty()) return Outcome::failure("no --local-restart-command");
  std::vector<std::string> args;
  args.reserve(config_.restart_command.size());
  for (const auto& a : config_.restart_command)
    args.push_back(replace_all(a, "{target}", workload.target.name));
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string what = "restart command '" + args.front() + "' for " + workload.target.name;
  pid_t pid = 0;
  if (int rc = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ); rc != 0) {
    return Outcome::failure(what + ": cannot start: " + std::strerror(rc));
  }
  const auto deadline = std::chrono::steady_clock::now() + config_.timeout;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR)
      return Outcome::failure(what + ": waitpid: " + std::strerror(errno));
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return Outcome::failure(what + ": no exit within the timeout; killed");
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(20));  // polling a child, not syncing a test
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Outcome::success();
  if (WIFEXITED(status))
    return Outcome::failure(what + ": exited with " + std::to_string(WEXITSTATUS(status)));
  return Outcome::failure(what + ": killed by signal " + std::to_string(WTERMSIG(status)));
}

}  // namespace auto_healer
