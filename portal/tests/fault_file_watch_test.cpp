// The portal watches its --fault-file: a change made by someone else (on Kubernetes, the kubelet
// updating the mounted ConfigMap by swapping the `..data` symlink) is applied; a bad file is
// logged and the last good faults stay. In-process with reload_fault_file() called by the test,
// then the real binary with its own watcher thread.
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "build_paths.hpp"
#include "firedrill/testing.hpp"
#include "portal/portal.hpp"
#include "support.hpp"

using firedrill::Service;
using firedrill::testing::RunningService;
using firedrill::testing::test_settings;
using nlohmann::json;
using portal::testing::ChildProcess;
using portal::testing::RecordingSleeper;
using portal::testing::sample;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under /tmp, removed at the end.
struct TempDir {
  TempDir() {
    std::string templ = "/tmp/portal-watch-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = templ;
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

/// Replaces `path` atomically, as an editor or `kubectl cp` of a whole file would.
void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.string() + ".new";
  std::ofstream(temporary, std::ios::trunc) << text;
  fs::rename(temporary, path);
}

/// A ConfigMap volume as the kubelet lays it out (pkg/volume/util/atomic_writer.go): the data in
/// a timestamped directory, `..data` a symlink to it, each key a symlink through `..data`. An
/// update writes a new directory and renames a new `..data` symlink over the old one.
class ConfigMapVolume {
 public:
  explicit ConfigMapVolume(fs::path dir) : dir_(std::move(dir)) {}
  fs::path key_path() const { return dir_ / "faults.json"; }
  void update(const std::string& text) {
    const std::string version = "..2026_12_01_00_00_00." + std::to_string(++generation_);
    fs::create_directory(dir_ / version);
    std::ofstream(dir_ / version / "faults.json") << text;
    fs::create_directory_symlink(version, dir_ / "..data_tmp");
    fs::rename(dir_ / "..data_tmp", dir_ / "..data");
    if (!fs::exists(fs::symlink_status(key_path()))) {
      fs::create_symlink("..data/faults.json", key_path());
    }
    if (!previous_.empty()) fs::remove_all(dir_ / previous_);
    previous_ = version;
  }

 private:
  fs::path dir_;
  std::string previous_;
  int generation_ = 0;
};

struct WatchedPortal {
  explicit WatchedPortal(const fs::path& file) : p(service, config_for(file), sleeper, crash) {}
  static portal::PortalConfig config_for(const fs::path& file) {
    portal::PortalConfig config;
    config.seed = 1;
    config.fault_file = file.string();
    config.fault_file_poll = std::chrono::milliseconds{0};  // the test calls reload_fault_file()
    config.faults.latency_ms = 20;                          // a flag: the base of the file's fields
    return config;
  }
  Service service{"portal", test_settings(true)};
  RecordingSleeper sleeper;
  std::atomic<int> crashes{0};
  portal::CrashHandler crash = [this](int) { ++crashes; };
  portal::Portal p;
};

}  // namespace

TEST_CASE("a changed fault file is applied over the flags", "[fault-file][watch]") {
  TempDir dir;
  const fs::path file = dir.path / "faults.json";
  WatchedPortal t(file);
  auto& p = t.p;
  CHECK_FALSE(p.reload_fault_file());  // no file, nothing changed
  CHECK(p.faults().state().latency_ms == 20);

  write_atomically(file, R"({"error_rate": 0.5, "error_code": 503})");
  CHECK(p.reload_fault_file());
  CHECK(p.faults().state().error_rate == 0.5);
  CHECK(p.faults().state().error_code == 503);
  CHECK(p.faults().state().latency_ms == 20);  // not in the file: the flag's
  CHECK_FALSE(p.reload_fault_file());          // the same text again: nothing to do

  SECTION("a bad file is logged and the last good faults stay") {
    write_atomically(file, "{\"error_rate\": ");
    CHECK_FALSE(p.reload_fault_file());
    CHECK(p.faults().state().error_rate == 0.5);
    write_atomically(file, R"({"error_rate": 7})");
    CHECK_FALSE(p.reload_fault_file());
    CHECK(p.faults().state().error_rate == 0.5);
    write_atomically(file, R"({"errors": 1})");
    CHECK_FALSE(p.reload_fault_file());
    CHECK(p.faults().state().error_rate == 0.5);
    // A hostile size: refused without being parsed.
    write_atomically(file,
                     "{\"error_rate\": 0.1" + std::string(portal::kMaxFaultFileBytes, ' ') + "}");
    CHECK_FALSE(p.reload_fault_file());
    CHECK(p.faults().state().error_rate == 0.5);
    // A file that cannot be read (a directory in its place) is logged too.
    fs::remove(file);
    fs::create_directory(file);
    CHECK_FALSE(p.reload_fault_file());
    CHECK(p.faults().state().error_rate == 0.5);
    fs::remove(file);
    // Fixed: applied at the next look.
    write_atomically(file, R"({"error_rate": 0.25})");
    CHECK(p.reload_fault_file());
    CHECK(p.faults().state().error_rate == 0.25);
  }
  SECTION("a removed file leaves the flags' faults") {
    fs::remove(file);
    CHECK(p.reload_fault_file());
    CHECK(p.faults().state().error_rate == 0.0);
    CHECK(p.faults().state().latency_ms == 20);
  }
  SECTION("the probes follow the file") {
    RunningService running(t.service);
    CHECK(running.ops().Get("/readyz")->status == 200);
    write_atomically(file, R"({"ready": false})");
    CHECK(p.reload_fault_file());
    CHECK(running.ops().Get("/readyz")->status == 503);
    CHECK(sample(running.ops().Get("/metrics")->body, "portal_fault_error_rate") == 0.0);
    write_atomically(file, R"({"ready": true, "error_rate": 1})");
    CHECK(p.reload_fault_file());
    CHECK(running.ops().Get("/readyz")->status == 200);
    CHECK(running.api().Get("/api/items")->status == 500);
    CHECK(sample(running.ops().Get("/metrics")->body, "portal_fault_error_rate") == 1.0);
  }
  SECTION("the portal's own write through the admin API is not applied a second time") {
    RunningService running(t.service);
    REQUIRE(
        running.ops().Put("/admin/faults", R"({"error_rate": 0.1})", "application/json")->status ==
        200);
    CHECK_FALSE(p.reload_fault_file());
    CHECK(p.faults().state().error_rate == 0.1);
    CHECK(json::parse(std::ifstream(file))["error_rate"] == 0.1);
  }
  CHECK(t.crashes == 0);
}

TEST_CASE("a ConfigMap volume's symlink swap is seen", "[fault-file][watch]") {
  TempDir dir;
  ConfigMapVolume volume(dir.path);
  volume.update("{}");
  WatchedPortal t(volume.key_path());
  auto& p = t.p;
  CHECK(p.faults().state().error_rate == 0.0);
  volume.update(R"({"error_rate": 1})");
  CHECK(p.reload_fault_file());
  CHECK(p.faults().state().error_rate == 1.0);
  volume.update("{}");
  CHECK(p.reload_fault_file());
  CHECK(p.faults().state().error_rate == 0.0);
}

TEST_CASE("the portal binary applies a change to its fault file within seconds",
          "[fault-file][watch][process]") {
  TempDir dir;
  ConfigMapVolume volume(dir.path);
  volume.update("{}");
  ChildProcess portal({firedrill::build_paths::portal_binary, "--listen", "127.0.0.1:0",
                       "--ops-listen", "127.0.0.1:0", "--drain-delay", "0", "--access-log", "false",
                       "--fault-file", volume.key_path().string(), "--fault-file-poll", "100ms"});
  auto [api_port, ops_port] = portal.ports();
  auto ops = RunningService::client(ops_port);
  auto api = RunningService::client(api_port);
  const auto error_rate = [&] {
    auto res = ops.Get("/metrics");
    return res ? sample(res->body, "portal_fault_error_rate") : -1.0;
  };
  // Polls a condition with a deadline: the watcher runs on its own clock.
  const auto eventually = [](auto condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  REQUIRE(error_rate() == 0.0);

  volume.update(R"({"error_rate": 1, "error_code": 502})");
  REQUIRE(eventually([&] { return error_rate() == 1.0; }));
  CHECK(api.Get("/api/items")->status == 502);
  CHECK(portal.stderr_line_with("\"source\":\"fault-file\""));

  volume.update(R"({"error_rate": "all"})");
  auto logged = portal.stderr_line_with("fault file not applied");
  REQUIRE(logged);
  CHECK(logged->find("error_rate: expected a number from 0 to 1") != std::string::npos);
  CHECK(error_rate() == 1.0);  // the last good faults stay

  volume.update("{}");
  REQUIRE(eventually([&] { return error_rate() == 0.0; }));
  CHECK(api.Get("/api/items")->status == 200);
  portal.signal(SIGTERM);
  CHECK(portal.wait() == 0);
}
