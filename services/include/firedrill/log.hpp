#pragma once
// The kit's logging: one JSON object per line on stderr, process-wide, with levels and fields,
// optionally written by a background thread. Thread-safe.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace firedrill::log {

enum class Level { debug, info, warn, error, off };

/// Parses "debug", "info", "warn", "error" or "off".
bool parse_level(std::string_view text, Level& out);

/// Sets up the process-wide JSON-lines logger on stderr. Each line is one JSON object:
/// {"time":"2026-11-21T22:30:44.123Z","level":"info","service":"portal","msg":"...",<fields>}.
/// `async` hands lines to a background thread so request threads never wait on the terminal.
/// Safe to call again (tests do); the last call wins.
void init(std::string_view service, Level level, bool async = false);

/// Flushes and stops the background logging thread, if any. Call before exit.
void shutdown();

bool enabled(Level level);

/// Writes one line. `fields` must be a JSON object (or null); its keys are merged into the line.
void write(Level level, std::string_view msg, const nlohmann::json& fields = nullptr);

inline void debug(std::string_view msg, const nlohmann::json& f = nullptr) {
  write(Level::debug, msg, f);
}
inline void info(std::string_view msg, const nlohmann::json& f = nullptr) {
  write(Level::info, msg, f);
}
inline void warn(std::string_view msg, const nlohmann::json& f = nullptr) {
  write(Level::warn, msg, f);
}
inline void error(std::string_view msg, const nlohmann::json& f = nullptr) {
  write(Level::error, msg, f);
}

}  // namespace firedrill::log
