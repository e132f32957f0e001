#include "auto_healer/peer.hpp"

#include <httplib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace auto_healer {

std::optional<Peer> parse_peer(std::string_view text, std::string& error) {
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos ||
      (text.substr(0, scheme_end) != "http" && text.substr(0, scheme_end) != "https")) {
    error = "expected an http:// or https:// URL";
    return std::nullopt;
  }
  if (text.find_first_of("?#@") != std::string_view::npos) {
    error = "expected a URL without query, fragment or user info";
    return std::nullopt;
  }
  const auto path_start = text.find('/', scheme_end + 3);
  Peer peer;
  peer.origin = std::string(text.substr(0, path_start));
  if (peer.origin.size() == scheme_end + 3) {
    error = "expected a host";
    return std::nullopt;
  }
  if (path_start != std::string_view::npos) {
    std::string_view path = text.substr(path_start);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    peer.base_path = std::string(path);
  }
  return peer;
}

PeerResponse call_peer(const Peer& peer, const std::string& method, const std::string& path,
                       const std::string& bearer_token, const nlohmann::json& body,
                       std::chrono::milliseconds timeout) {
  PeerResponse out;
  httplib::Client client(peer.origin);
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout - s);
  client.set_connection_timeout(s.count(), us.count());
  client.set_read_timeout(s.count(), us.count());
  client.set_write_timeout(s.count(), us.count());
  httplib::Headers headers;
  if (!bearer_token.empty()) headers.emplace("Authorization", "Bearer " + bearer_token);
  const std::string target = peer.base_path + path;
  auto res = method == "GET" ? client.Get(target, headers)
                             : client.Post(target, headers, body.dump(), "application/json");
  const std::string what = method + " " + peer.to_string() + path;
  if (!res) {
    out.error = what + ": no response (" + httplib::to_string(res.error()) + ")";
    return out;
  }
  out.status = res->status;
  out.body = res->body;
  if (res->status < 200 || res->status >= 300) {
    out.error = what + " answered " + std::to_string(res->status) + ": " + res->body.substr(0, 200);
  }
  return out;
}

std::string read_secret_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return {};
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) error = path + " is empty";
  if (text.find_first_of("\r\n") != std::string::npos) {
    error = path + " holds more than one line; expected only the secret";
    return {};
  }
  return text;
}

}  // namespace auto_healer
