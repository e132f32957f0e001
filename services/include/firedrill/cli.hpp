#pragma once
// The command line every service shares, on CLI11: the common settings' flags and environment
// variables, parsing with the kit's exit codes, and the validators the services use. Kept apart
// from service.hpp because CLI11 is the heaviest header the kit has: only the sources that build
// a command line include it.

#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "firedrill/duration.hpp"
#include "firedrill/service.hpp"

namespace firedrill {

/// Registers the common settings on `app` with `env_prefix` (e.g. "PORTAL") for the environment
/// variables. Defaults are those already in `settings`, and --help shows them.
void add_common_options(CLI::App& app, CommonSettings& settings, std::string_view env_prefix);

/// Parses the command line. Returns nullopt to go on, or the exit code: 0 after --help or
/// --version, 2 after a bad setting (one line on stderr naming it and what is accepted).
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

/// CLI11 validators shared by the services.
CLI::Validator duration_validator();
CLI::Validator listen_address_validator();
CLI::Validator log_level_validator();
/// Parses a duration option already validated by duration_validator().
std::chrono::milliseconds duration_value(const std::string& text);

/// Registers `flag` and the environment variable `env` as a duration option ("--timeout 30s"):
/// a value sets `target` (cut to its unit: "1500ms" into seconds is 1s), --help shows the value
/// `target` holds now as the default, and a bad one fails with kDurationHelp. Returns the option
/// for further checks.
template <typename Rep, typename Period>
CLI::Option* add_duration_option(CLI::App& app, const std::string& flag,
                                 std::chrono::duration<Rep, Period>& target, const std::string& env,
                                 const std::string& help) {
  using Target = std::chrono::duration<Rep, Period>;
  return app
      .add_option_function<std::string>(
          flag,
          [&target](const std::string& v) {
            target = std::chrono::duration_cast<Target>(duration_value(v));
          },
          help)
      ->envname(env)
      ->default_str(format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(target)))
      ->check(duration_validator());
}

}  // namespace firedrill
