#pragma once
// batch-sync's settings: every flag with its BATCHSYNC_* environment variable, the peers' URLs,
// and the checks CLI11 cannot make, into Settings. Not thread-safe: used once, at start.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "batch_sync/fault.hpp"
#include "batch_sync/kit.hpp"
#include "batch_sync/retry.hpp"

namespace CLI {
class App;  // CLI/CLI.hpp, included only where a command line is built
}  // namespace CLI

namespace batch_sync {

/// An HTTP(S) peer address: "http://host:port/optional/prefix".
struct PeerUrl {
  std::string scheme;     ///< "http" or "https"
  std::string host;       ///< without IPv6 brackets
  int port = 0;           ///< explicit, or 80/443 from the scheme
  std::string base_path;  ///< "" or "/prefix", never with a trailing slash

  /// "scheme://host:port", with brackets around an IPv6 host: what cpp-httplib's Client takes.
  std::string origin() const;
  /// origin() followed by the base path: the address as logged.
  std::string to_string() const;
};

/// Parses an absolute http or https URL without query, fragment or user info. Returns nullopt and
/// sets `error` to what is wrong.
std::optional<PeerUrl> parse_peer_url(std::string_view text, std::string& error);

/// Everything one run needs. Each setting has a flag and a BATCHSYNC_ environment variable.
struct Settings {
  std::string alertmanager_url;
  std::string mock_slack_url;
  std::string pushgateway_url;
  /// Bearer token for mock-slack's API; filled from --mock-slack-token-file when that is given.
  std::string mock_slack_token;
  std::string mock_slack_token_file;
  std::size_t batch_size = 500;  ///< alerts, or silences, per sync request
  /// Also read Alertmanager's silences (GET /api/v2/silences) and sync them.
  bool silences = false;
  /// Whole run (read, sync, retention); the Pushgateway report has its own push_timeout after it.
  std::chrono::milliseconds deadline{std::chrono::seconds(180)};
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds push_timeout{std::chrono::seconds(10)};
  /// After a complete run, mock-slack resolves the firing occurrences the run did not list and
  /// that nothing saw active for this long (POST /api/v1/sync/sweep). It must exceed Prometheus'
  /// evaluation_interval plus the routes' longest group_interval, so that an alert Alertmanager
  /// has just received (or is about to notify) is never resolved: 15s + 5m in the shipped
  /// configuration, hence 10m. 0 turns the sweep off.
  std::chrono::milliseconds resolve_grace{std::chrono::minutes(10)};
  BackoffPolicy backoff;
  double fail_rate = 0.0;  ///< probability in [0, 1] that the run fails partway (a drill)
  FailMode fail_mode = FailMode::error;
  std::optional<std::uint64_t> seed;  ///< nullopt: drawn from std::random_device and logged
  std::string log_level = "info";

  // Parsed forms of the URLs, set by parse_settings().
  PeerUrl alertmanager;
  PeerUrl mock_slack;
  PeerUrl pushgateway;
};

/// The environment variable the seed playground used for the failure rate. Read when neither
/// --fail-rate nor BATCHSYNC_FAIL_RATE is given.
inline constexpr const char* kLegacyFailRateEnv = "BATCH_FAILURE_RATE";

/// Registers every setting on `app` (flags, BATCHSYNC_* variables, --version).
void add_options(CLI::App& app, Settings& settings);

/// Checks what CLI11 cannot: reads the token file, falls back to BATCH_FAILURE_RATE, parses the
/// URLs. Returns an empty string when the settings are usable, else one line naming the setting.
/// `getenv` is injected so tests need not touch the process environment.
std::string finish_settings(const CLI::App& app, Settings& settings,
                            const std::function<const char*(const char*)>& getenv);

/// The command line to usable settings, or the exit code (0 after --help or --version, 2 with one
/// line on stderr for a bad setting).
std::variant<Settings, int> parse_settings(int argc, char** argv);

}  // namespace batch_sync
