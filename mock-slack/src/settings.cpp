#include "mock_slack/settings.hpp"

#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "firedrill/cli.hpp"

namespace mock_slack {

void add_options(CLI::App& app, Settings& s) {
  auto* db = app.add_option("--db", s.db,
                            "SQLite database file (default: <state-dir>/mock-slack.db), or a "
                            "PostgreSQL connection URI (postgresql://user@host/db?sslmode=...), "
                            "which replicas may share")
                 ->envname("MOCKSLACK_DB");
  auto* db_url_file =
      app.add_option("--db-url-file", s.db_url_file,
                     "File holding the PostgreSQL connection URI, password included (a "
                     "Kubernetes Secret; trailing newline ignored)")
          ->envname("MOCKSLACK_DB_URL_FILE");
  db->excludes(db_url_file);
  app.add_option("--state-dir", s.state_dir,
                 "Directory for state when --db is not given (default: "
                 "$XDG_STATE_HOME/mock-slack, else ./.state/mock-slack)")
      ->envname("MOCKSLACK_STATE_DIR");
  firedrill::add_duration_option(
      app, "--retention", s.retention, "MOCKSLACK_RETENTION",
      "Resolved occurrences, incidents, notifications, messages and expired silences older "
      "than this are pruned");
  firedrill::add_duration_option(
      app, "--retention-interval", s.retention_interval, "MOCKSLACK_RETENTION_INTERVAL",
      "How often retention runs (0: only through POST /api/v1/retention)");
  firedrill::add_duration_option(
      app, "--watchdog-timeout", s.watchdog_timeout, "MOCKSLACK_WATCHDOG_TIMEOUT",
      "No Watchdog heartbeat (POST /heartbeat) for this long, once the first one armed the "
      "watch, raises the alarm: a banner on every page, a message to #pages, an incident "
      "(0: off)");
  firedrill::add_duration_option(
      app, "--store-probe-interval", s.store_probe_interval, "MOCKSLACK_STORE_PROBE_INTERVAL",
      "How often a write probe checks the store; /readyz answers 503 while it fails (0: off)");
  auto* token = app.add_option("--webhook-token", s.webhook_token,
                               "Bearer token required on /webhook, /heartbeat, /api/v1/sync, "
                               "/api/v1/sync/sweep, /api/v1/retention and /slack/*")
                    ->envname("MOCKSLACK_WEBHOOK_TOKEN");
  auto* token_file = app.add_option("--webhook-token-file", s.webhook_token_file,
                                    "File holding the bearer token (trailing newline ignored)")
                         ->envname("MOCKSLACK_WEBHOOK_TOKEN_FILE");
  token->excludes(token_file);
  app.add_option("--webhook-basic-auth", s.webhook_basic_auth,
                 "user:pass accepted as HTTP basic auth on the same endpoints")
      ->envname("MOCKSLACK_WEBHOOK_BASIC_AUTH")
      ->check(CLI::Validator(
          [](std::string& v) {
            auto colon = v.find(':');
            return colon == std::string::npos || colon == 0 ? std::string("expected user:pass")
                                                            : std::string();
          },
          "USER:PASS"));
  app.add_option("--read-token", s.read_token,
                 "Bearer token required on the pages, the JSON API's GET routes and /runbooks "
                 "(empty: reads are open)")
      ->envname("MOCKSLACK_READ_TOKEN");
  app.add_option("--trusted-user-header", s.trusted_user_header,
                 "Header set by an authenticating proxy (X-Forwarded-User from oauth2-proxy) that "
                 "grants reads when present; only when every request comes through that proxy "
                 "(empty: no header is trusted)")
      ->envname("MOCKSLACK_TRUSTED_USER_HEADER")
      ->check(CLI::Validator(
          [](std::string& v) {
            if (v.empty()) return std::string();
            for (char c : v) {
              const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '-' || c == '_';
              if (!ok) return std::string("expected a header name such as X-Forwarded-User");
            }
            if (v.size() == 13 && strncasecmp(v.c_str(), "authorization", 13) == 0) {
              return std::string("Authorization carries the read token; name the proxy's header");
            }
            return std::string();
          },
          "HEADER"));
  app.add_option("--ui-basic-auth-file", s.ui_basic_auth_file,
                 "File of user:password lines: people who sign in to the pages with HTTP basic "
                 "auth (it then guards the pages and the JSON API's GET routes) and whose name "
                 "signs what they post with the incident page's forms (empty: none)")
      ->envname("MOCKSLACK_UI_BASIC_AUTH_FILE");
  app.add_flag("--anonymous-read", s.anonymous_read,
               "Reads need no credential (a credential that is sent must still be right); people "
               "sign in at /signin only to act with the incident page's forms. For a stack on "
               "loopback; needs --ui-basic-auth-file or --trusted-user-header (default: off)")
      ->envname("MOCKSLACK_ANONYMOUS_READ");
  app.add_option("--durability", s.durability,
                 "normal: commits survive a crash of the process (synchronous=NORMAL, WAL); "
                 "full: every commit is fsynced and survives power loss")
      ->envname("MOCKSLACK_DURABILITY")
      ->capture_default_str()
      ->check(CLI::IsMember({"normal", "full"}));
  app.add_option("--runbooks-dir", s.runbooks_dir, "Directory served as /runbooks/{name}")
      ->envname("MOCKSLACK_RUNBOOKS_DIR")
      ->capture_default_str();
}

namespace {

/// The whole file a setting names. Throws std::invalid_argument naming the setting.
std::string read_setting_file(const char* setting, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::invalid_argument(std::string(setting) + ": cannot read " + path + ": " +
                                std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Resolved resolve(const Settings& s) {
  Resolved r;
  std::string db = s.db;
  if (!s.db_url_file.empty()) {
    db = read_setting_file("--db-url-file", s.db_url_file);
    while (!db.empty() && (db.back() == '\n' || db.back() == '\r' || db.back() == ' ')) {
      db.pop_back();
    }
    if (!is_postgres(db)) {
      throw std::invalid_argument("--db-url-file: " + s.db_url_file +
                                  " does not hold a postgresql:// or postgres:// URI");
    }
  }
  if (db.empty()) {
    std::filesystem::path dir = s.state_dir;
    if (dir.empty()) {
      const char* xdg = std::getenv("XDG_STATE_HOME");
      dir = xdg != nullptr && *xdg != '\0' ? std::filesystem::path(xdg) / "mock-slack"
                                           : std::filesystem::path(".state") / "mock-slack";
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      throw std::invalid_argument("--state-dir: cannot create " + dir.string() + ": " +
                                  ec.message());
    }
    db = (dir / "mock-slack.db").string();
  }
  r.store.path = db;
  r.store.durability = s.durability == "full" ? Durability::full : Durability::normal;
  r.store.retention = s.retention;
  if (s.retention.count() == 0) throw std::invalid_argument("--retention: must be more than 0");
  r.retention_interval = s.retention_interval;
  r.watchdog.timeout = s.watchdog_timeout;
  r.store_probe_interval = s.store_probe_interval;
  // A quarter of the timeout, at most a second: the alarm is raised no later than that after it.
  r.watchdog.check_interval = std::clamp(s.watchdog_timeout / 4, std::chrono::milliseconds(10),
                                         std::chrono::milliseconds(1000));

  r.receiver.credentials.bearer_token = s.webhook_token;
  if (!s.webhook_token_file.empty()) {
    std::string token = read_setting_file("--webhook-token-file", s.webhook_token_file);
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' ||
                              token.back() == '\t')) {
      token.pop_back();
    }
    if (token.empty()) {
      throw std::invalid_argument("--webhook-token-file: " + s.webhook_token_file + " is empty");
    }
    r.receiver.credentials.bearer_token = token;
  }
  r.receiver.credentials.basic_user_pass = s.webhook_basic_auth;
  r.receiver.read.bearer_token = s.read_token;
  r.receiver.read.trusted_user_header = s.trusted_user_header;
  if (!s.ui_basic_auth_file.empty()) {
    const std::string text = read_setting_file("--ui-basic-auth-file", s.ui_basic_auth_file);
    try {
      r.receiver.read.ui_users = parse_ui_users(text);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("--ui-basic-auth-file: " + s.ui_basic_auth_file + ": " +
                                  e.what());
    }
  }
  if (s.anonymous_read && r.receiver.read.ui_users.empty() && s.trusted_user_header.empty()) {
    throw std::invalid_argument(
        "--anonymous-read: nobody could sign in to act on an incident; set "
        "--ui-basic-auth-file or --trusted-user-header too");
  }
  r.receiver.read.anonymous_read = s.anonymous_read;
  r.receiver.runbooks_dir = s.runbooks_dir;
  r.receiver.limits.max_alerts = 100000;
  return r;
}

}  // namespace mock_slack
