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

}  // namespace firedrill
