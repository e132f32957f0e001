#pragma once
// mock-slack's settings: its own flags with their MOCKSLACK_* environment variables, and
// resolve() into the store's, the receiver's and the Watchdog's options. Not thread-safe: used
// once, at start.

#include <chrono>
#include <string>

#include "firedrill/service.hpp"
#include "mock_slack/receiver.hpp"
#include "mock_slack/store.hpp"
#include "mock_slack/watchdog.hpp"

namespace CLI {
class App;  // CLI/CLI.hpp, included only where a command line is built
}  // namespace CLI

namespace mock_slack {

/// Command-line settings of mock-slack, each with a MOCKSLACK_* environment variable.
struct Settings {
  firedrill::CommonSettings common;
  std::string db;           ///< empty: <state-dir>/mock-slack.db
  std::string db_url_file;  ///< a file holding a PostgreSQL URI (instead of db)
  std::string state_dir;    ///< empty: $XDG_STATE_HOME/mock-slack, else ./.state/mock-slack
  std::chrono::milliseconds retention{std::chrono::hours(24 * 90)};
  std::chrono::milliseconds retention_interval{std::chrono::hours(1)};
  /// --watchdog-timeout: no Watchdog heartbeat for this long raises the alarm; 0: off.
  std::chrono::milliseconds watchdog_timeout{std::chrono::minutes(5)};
  /// --store-probe-interval: how often /readyz's write probe runs; 0: never (always ready).
  std::chrono::milliseconds store_probe_interval{std::chrono::seconds(5)};
  std::string webhook_token;
  std::string webhook_token_file;
  std::string webhook_basic_auth;  ///< "user:pass"
  std::string read_token;
  std::string trusted_user_header;
  std::string ui_basic_auth_file;  ///< user:password lines; empty: no UI users
  bool anonymous_read = false;     ///< reads need no credential; people sign in to act
  std::string durability = "normal";
  std::string runbooks_dir = "runbooks";

  Settings() {
    common.listen = "127.0.0.1:8090";
    // A notification of 5,000 alerts is about 1.4 MB; Alertmanager sends them whole.
    common.max_body_bytes = std::size_t{16} << 20U;
  }
};

/// Registers mock-slack's own settings (the common ones come from add_common_options).
void add_options(CLI::App& app, Settings& settings);

struct Resolved {
  StoreOptions store;
  ReceiverOptions receiver;
  std::chrono::milliseconds retention_interval{};
  WatchdogOptions watchdog;
  std::chrono::milliseconds store_probe_interval{};
};

/// Turns parsed settings into options: picks the database path (creating its directory) and
/// reads the token file (trailing whitespace trimmed). Throws std::invalid_argument with one
/// line naming the setting, e.g. `--webhook-token-file: cannot read /x: No such file`.
Resolved resolve(const Settings& settings);

}  // namespace mock_slack
