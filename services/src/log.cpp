#include "firedrill/log.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace firedrill::log {
namespace {

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
    case Level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger>& current() {
  static std::shared_ptr<spdlog::logger> logger;
  return logger;
}

}  // namespace

bool parse_level(std::string_view text, Level& out) {
  if (text == "debug")
    out = Level::debug;
  else if (text == "info")
    out = Level::info;
  else if (text == "warn" || text == "warning")
    out = Level::warn;
  else if (text == "error")
    out = Level::error;
  else if (text == "off")
    out = Level::off;
  else
    return false;
  return true;
}

void init(std::string_view service, Level level, bool async) {
  spdlog::drop_all();
  std::shared_ptr<spdlog::logger> logger;
  if (async) {
    spdlog::init_thread_pool(16384, 1);
    logger = spdlog::create_async_nb<spdlog::sinks::stderr_sink_mt>("firedrill");
  } else {
    logger = spdlog::stderr_logger_mt("firedrill");
  }
  // The service name is ours (no quotes or percent signs), so it can sit in the pattern; the
  // message part (%v) is a JSON object body produced by write().
  std::string pattern = R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","service":")" +
                        std::string(service) + R"(",%v})";
  logger->set_pattern(pattern, spdlog::pattern_time_type::utc);
  logger->set_level(to_spdlog(level));
  logger->flush_on(spdlog::level::warn);
  current() = logger;
}

void shutdown() {
  if (auto& l = current()) l->flush();
  current().reset();
  spdlog::shutdown();
}

bool enabled(Level level) {
  auto& l = current();
  return l && l->should_log(to_spdlog(level));
}

void write(Level level, std::string_view msg, const nlohmann::json& fields) {
  auto& l = current();
  if (!l || !l->should_log(to_spdlog(level))) return;
  nlohmann::json line = nlohmann::json::object();
  line["msg"] = msg;
  if (fields.is_object()) {
    for (auto it = fields.begin(); it != fields.end(); ++it) line[it.key()] = it.value();
  }
  // Invalid UTF-8 from a client must not make logging throw: replace it.
  std::string body = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Strip the outer braces: the pattern supplies them around time, level and service.
  l->log(to_spdlog(level), std::string_view(body).substr(1, body.size() - 2));
}

}  // namespace firedrill::log
