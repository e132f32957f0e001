// The admin API on the ops listener (tests/admin_test.cpp): GET, PUT and DELETE /admin/faults
// (read, change, heal the fault state) and POST /admin/crash, behind the admin token when set.
// Its routes are rows of routes.cpp's table.
#include <memory>

#include "firedrill/log.hpp"
#include "portal/portal.hpp"

namespace portal {

namespace {

using firedrill::http::error_response;
using firedrill::http::json_response;
using firedrill::http::Request;
using nlohmann::json;

bool constant_time_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

std::string source_of(const Request& req) { return "admin API from " + req.http.remote_addr; }

}  // namespace

bool Portal::authorized(const Request& req, Response& res) const {
  if (config_.admin_token.empty()) return true;
  const std::string header = req.header("Authorization");
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() > scheme.size() && header.compare(0, scheme.size(), scheme) == 0 &&
      constant_time_equal(std::string_view(header).substr(scheme.size()), config_.admin_token)) {
    return true;
  }
  res.set_header("WWW-Authenticate", "Bearer realm=\"portal-admin\"");
  error_response(res, 401,
                 header.empty() ? "admin routes require Authorization: Bearer <token>"
                                : "invalid admin token");
  firedrill::log::warn("admin request refused",
                       {{"route", req.route}, {"remote", req.http.remote_addr}});
  return false;
}

void Portal::get_faults(const Request&, Response& res) {
  json_response(res, 200, to_json(faults_.state()));
}

void Portal::put_faults(const Request& req, Response& res) {
  auto change = update(req.body(), source_of(req));
  json_response(res, change.status, change.body);
}

void Portal::delete_faults(const Request& req, Response& res) {
  auto change = heal(source_of(req));
  json_response(res, change.status, change.body);
}

void Portal::crash_request(const Request& req, Response& res) {
  firedrill::log::error("crash requested",
                        {{"source", source_of(req)}, {"exit_code", kCrashExitCode}});
  res.status = 202;
  auto body = std::make_shared<std::string>(
      json{{"status", "crashing"}, {"exit_code", kCrashExitCode}}.dump() + "\n");
  // The releaser runs when cpp-httplib is done with the response, i.e. after the 202 has been
  // written to the socket, so the client sees the answer before the process ends.
  res.set_content_provider(
      body->size(), "application/json",
      [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        return sink.write(body->data() + offset, length);
      },
      [this](bool) { crash_(kCrashExitCode); });
}

}  // namespace portal
