#pragma once
// HTTP peers of the auto-healer (Alertmanager, mock-slack, the Pushgateway): an address split into
// what cpp-httplib's Client takes and a path prefix, and one JSON call with a bearer token.

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auto_healer/kit.hpp"

namespace auto_healer {

struct Peer {
  std::string origin;     ///< "http://host:port"
  std::string base_path;  ///< "" or "/prefix", no trailing slash
  std::string to_string() const { return origin + base_path; }
};

/// Parses "http(s)://host[:port][/prefix]"; nullopt and `error` for anything else.
std::optional<Peer> parse_peer(std::string_view text, std::string& error);

struct PeerResponse {
  int status = 0;
  std::string body;
  std::string error;  ///< empty on 2xx; else one line naming the peer
  bool ok() const { return error.empty(); }
};

/// One request to `peer` (GET when `body` is null, else POST of the JSON body).
PeerResponse call_peer(const Peer& peer, const std::string& method, const std::string& path,
                       const std::string& bearer_token, const nlohmann::json& body,
                       std::chrono::milliseconds timeout);

/// Reads a one-line secret file (a mounted Secret); "" and `error` when unreadable or empty.
std::string read_secret_file(const std::string& path, std::string& error);

}  // namespace auto_healer
