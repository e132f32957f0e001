#include "mock_slack/settings.hpp"

#include <fstream>
#include <sstream>

#include "firedrill/cli.hpp"
#include "helpers.hpp"

using namespace mock_slack;
using namespace mock_slack::testing;

namespace {

struct Parsed {
  std::optional<int> code;
  std::string err;
  Settings settings;
};

Parsed parse(std::vector<std::string> args) {
  Parsed p;
  CLI::App app{"mock-slack", "mock-slack"};
  firedrill::add_common_options(app, p.settings.common, "MOCKSLACK");
  add_options(app, p.settings);
  args.insert(args.begin(), "mock-slack");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream captured;
  auto* old = std::cerr.rdbuf(captured.rdbuf());
  p.code = firedrill::parse_command_line(app, static_cast<int>(argv.size()), argv.data());
  std::cerr.rdbuf(old);
  p.err = captured.str();
  return p;
}

}  // namespace

TEST_CASE("settings have the documented defaults and resolve", "[settings]") {
  TempDir dir;
  auto p = parse({"--state-dir", dir.path().string()});
  REQUIRE_FALSE(p.code);
  CHECK(p.settings.common.listen == "127.0.0.1:8090");
  CHECK(p.settings.retention == std::chrono::hours(24 * 90));
  auto r = resolve(p.settings);
  CHECK(r.store.path == (dir.path() / "mock-slack.db").string());
  CHECK(r.store.durability == Durability::normal);
  CHECK_FALSE(r.receiver.credentials.configured());
  CHECK_FALSE(r.receiver.read.configured());
}

TEST_CASE("read credentials come from flags and the environment", "[settings][read]") {
  TempDir dir;
  auto p = parse({"--db", (dir.path() / "x.db").string(), "--read-token", "r-tok",
                  "--trusted-user-header", "X-Forwarded-User"});
  REQUIRE_FALSE(p.code);
  auto r = resolve(p.settings);
  CHECK(r.receiver.read.bearer_token == "r-tok");
  CHECK(r.receiver.read.trusted_user_header == "X-Forwarded-User");
  ::setenv("MOCKSLACK_TRUSTED_USER_HEADER", "X-Forwarded-Email", 1);
  auto e = parse({"--db", (dir.path() / "x.db").string()});
  ::unsetenv("MOCKSLACK_TRUSTED_USER_HEADER");
  REQUIRE_FALSE(e.code);
  CHECK(resolve(e.settings).receiver.read.trusted_user_header == "X-Forwarded-Email");
}

TEST_CASE("the token file is read and its trailing newline dropped", "[settings]") {
  TempDir dir;
  const auto file = dir.path() / "token";
  std::ofstream(file) << "s3cret\n";
  auto p = parse({"--db", (dir.path() / "x.db").string(), "--webhook-token-file", file.string(),
                  "--durability", "full", "--retention", "7d"});
  REQUIRE_FALSE(p.code);
  auto r = resolve(p.settings);
  CHECK(r.receiver.credentials.bearer_token == "s3cret");
  CHECK(r.store.durability == Durability::full);
  CHECK(r.store.retention == std::chrono::hours(24 * 7));

  SECTION("a missing file is one clear line") {
    auto q = parse({"--webhook-token-file", (dir.path() / "nope").string()});
    REQUIRE_FALSE(q.code);
    try {
      (void)resolve(q.settings);
      FAIL("no error");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()) == "--webhook-token-file: cannot read " +
                                         (dir.path() / "nope").string() +
                                         ": No such file or directory");
    }
  }
}

TEST_CASE("bad settings exit 2 naming the setting", "[settings]") {
  auto a = parse({"--durability", "sometimes"});
  CHECK(a.code == 2);
  CHECK(a.err.find("--durability") != std::string::npos);
  auto b = parse({"--retention", "forever"});
  CHECK(b.code == 2);
  CHECK(b.err.find("--retention") != std::string::npos);
  auto c = parse({"--webhook-basic-auth", "nopassword"});
  CHECK(c.code == 2);
  CHECK(c.err.find("expected user:pass") != std::string::npos);
  auto d = parse({"--webhook-token", "a", "--webhook-token-file", "/x"});
  CHECK(d.code == 2);
  CHECK(d.err.find("excludes") != std::string::npos);
  auto e = parse({"--trusted-user-header", "X Forwarded: User"});
  CHECK(e.code == 2);
  CHECK(e.err.find("expected a header name such as X-Forwarded-User") != std::string::npos);
  auto f = parse({"--trusted-user-header", "authorization"});
  CHECK(f.code == 2);
  CHECK(f.err.find("--trusted-user-header") != std::string::npos);
}

TEST_CASE("the watchdog timeout and the store probe come from flags and the environment",
          "[settings][watchdog]") {
  TempDir dir;
  SECTION("defaults: 5m, checked every second; a probe every 5s") {
    auto r = resolve(parse({"--state-dir", dir.path().string()}).settings);
    CHECK(r.watchdog.timeout == std::chrono::minutes(5));
    CHECK(r.watchdog.check_interval == std::chrono::seconds(1));
    CHECK(r.store_probe_interval == std::chrono::seconds(5));
  }
  SECTION("flags: a drill-scale timeout is checked four times within it") {
    auto p = parse({"--state-dir", dir.path().string(), "--watchdog-timeout", "2s",
                    "--store-probe-interval", "0"});
    REQUIRE_FALSE(p.code);
    auto r = resolve(p.settings);
    CHECK(r.watchdog.timeout == std::chrono::seconds(2));
    CHECK(r.watchdog.check_interval == std::chrono::milliseconds(500));
    CHECK(r.store_probe_interval == std::chrono::milliseconds(0));
  }
  SECTION("environment") {
    ::setenv("MOCKSLACK_WATCHDOG_TIMEOUT", "10s", 1);
    auto p = parse({"--state-dir", dir.path().string()});
    ::unsetenv("MOCKSLACK_WATCHDOG_TIMEOUT");
    REQUIRE_FALSE(p.code);
    CHECK(resolve(p.settings).watchdog.timeout == std::chrono::seconds(10));
  }
  SECTION("a bad duration exits 2 naming the flag") {
    auto p = parse({"--watchdog-timeout", "soon"});
    CHECK(p.code == 2);
    CHECK(p.err.find("--watchdog-timeout") != std::string::npos);
  }
}

TEST_CASE("the UI users come from --ui-basic-auth-file", "[settings][read]") {
  TempDir dir;
  const auto file = dir.path() / "users";
  std::ofstream(file) << "# people who sign in to the pages\nalice:wonder:land\r\n\nbob:builder\n";
  auto p = parse({"--db", (dir.path() / "x.db").string(), "--ui-basic-auth-file", file.string()});
  REQUIRE_FALSE(p.code);
  auto r = resolve(p.settings);
  using Users = std::vector<std::pair<std::string, std::string>>;
  CHECK(r.receiver.read.ui_users == Users{{"alice", "wonder:land"}, {"bob", "builder"}});
  CHECK(r.receiver.read.configured());

  ::setenv("MOCKSLACK_UI_BASIC_AUTH_FILE", file.string().c_str(), 1);
  auto e = parse({"--db", (dir.path() / "x.db").string()});
  ::unsetenv("MOCKSLACK_UI_BASIC_AUTH_FILE");
  REQUIRE_FALSE(e.code);
  CHECK(resolve(e.settings).receiver.read.ui_users.size() == 2);

  std::ofstream(file) << "alice:one\nnopassword\n";
  CHECK_THROWS_WITH(resolve(p.settings),
                    "--ui-basic-auth-file: " + file.string() + ": line 2: expected user:password");
  std::ofstream(file) << "alice:one\nalice:two\n";
  CHECK_THROWS_WITH(resolve(p.settings), "--ui-basic-auth-file: " + file.string() +
                                             ": line 2: user \"alice\" appears twice");
  std::ofstream(file) << "# nobody\n";
  CHECK_THROWS_WITH(resolve(p.settings),
                    "--ui-basic-auth-file: " + file.string() + ": no user:password line");
  auto missing = parse({"--db", (dir.path() / "x.db").string(), "--ui-basic-auth-file",
                        (dir.path() / "absent").string()});
  CHECK_THROWS_WITH(resolve(missing.settings),
                    Catch::StartsWith("--ui-basic-auth-file: cannot read "));
}

TEST_CASE("the flag --anonymous-read opens the reads to everyone while the UI users sign in to act",
          "[settings][read]") {
  TempDir dir;
  const auto file = dir.path() / "users";
  std::ofstream(file) << "oncall:secret\n";
  const std::string db = (dir.path() / "x.db").string();
  auto p = parse({"--db", db, "--ui-basic-auth-file", file.string(), "--anonymous-read"});
  REQUIRE_FALSE(p.code);
  CHECK(resolve(p.settings).receiver.read.anonymous_read);
  CHECK_FALSE(resolve(parse({"--db", db, "--ui-basic-auth-file", file.string()}).settings)
                  .receiver.read.anonymous_read);

  ::setenv("MOCKSLACK_ANONYMOUS_READ", "true", 1);
  auto e = parse({"--db", db, "--trusted-user-header", "X-Forwarded-User"});
  ::unsetenv("MOCKSLACK_ANONYMOUS_READ");
  REQUIRE_FALSE(e.code);
  CHECK(resolve(e.settings).receiver.read.anonymous_read);

  // Nobody could sign in, so the flag would only say "reads are open" twice: refused.
  for (auto args :
       {std::vector<std::string>{"--db", db, "--anonymous-read"},
        std::vector<std::string>{"--db", db, "--anonymous-read", "--read-token", "t"}}) {
    auto bad = parse(args);
    REQUIRE_FALSE(bad.code);
    CHECK_THROWS_WITH(resolve(bad.settings),
                      "--anonymous-read: nobody could sign in to act on an incident; set "
                      "--ui-basic-auth-file or --trusted-user-header too");
  }
}

TEST_CASE("the database is a SQLite file or a PostgreSQL URI, from --db or --db-url-file",
          "[settings]") {
  TempDir dir;
  SECTION("a URI in --db") {
    auto p = parse({"--db", "postgresql://app@db.example/history?sslmode=require"});
    REQUIRE_FALSE(p.code);
    const auto r = resolve(p.settings);
    CHECK(r.store.path == "postgresql://app@db.example/history?sslmode=require");
    CHECK(is_postgres(r.store.path));
  }
  SECTION("a URI with its password in a file, as a Secret is mounted") {
    const auto file = dir.path() / "db-url";
    std::ofstream(file) << "postgres://app:s3cret@db.example/history\n";
    auto p = parse({"--db-url-file", file.string()});
    REQUIRE_FALSE(p.code);
    const auto r = resolve(p.settings);
    CHECK(r.store.path == "postgres://app:s3cret@db.example/history");
    CHECK(printable_location(r.store.path) == "postgres://app:***@db.example/history");
  }
  SECTION("a file that holds something else is refused, naming the file, not its content") {
    const auto file = dir.path() / "db-url";
    std::ofstream(file) << "/var/lib/mock-slack/db.sqlite s3cret\n";
    auto p = parse({"--db-url-file", file.string()});
    REQUIRE_FALSE(p.code);
    try {
      resolve(p.settings);
      FAIL("resolved");
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      CHECK(what.find("--db-url-file: " + file.string()) == 0);
      CHECK(what.find("s3cret") == std::string::npos);
    }
  }
  SECTION("not both") {
    auto p = parse({"--db", "x.db", "--db-url-file", "/x"});
    CHECK(p.code == 2);
    CHECK(p.err.find("excludes") != std::string::npos);
  }
  SECTION("a SQLite path stays printable as it is") {
    CHECK(printable_location("a/b.db") == "a/b.db");
  }
}
