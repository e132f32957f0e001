#include "auto_healer/kube_client.hpp"

#include <httplib.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace auto_healer {

namespace {

/// The token as mounted (a projected volume rotates it): read whole, trailing newline dropped.
std::optional<std::string> read_token(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read the service-account token " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) {
    error = "the service-account token " + path + " is empty";
    return std::nullopt;
  }
  return token;
}

/// "<reason>: <message>" from a Status object, or the start of a body that is not one.
std::string status_text(const nlohmann::json& body, const std::string& raw) {
  if (body.is_object() && body.value("kind", "") == "Status") {
    return body.value("reason", std::string("Unknown")) + ": " + body.value("message", "");
  }
  return raw.substr(0, 200);
}

}  // namespace

std::optional<std::string> in_cluster_api_url(const std::function<const char*(const char*)>& getenv,
                                              std::string& error) {
  const char* host = getenv("KUBERNETES_SERVICE_HOST");
  if (host == nullptr || *host == '\0') {
    error =
        "KUBERNETES_SERVICE_HOST is not set: not running in a Kubernetes cluster (give "
        "--kube-api-url, or use --backend local)";
    return std::nullopt;
  }
  const char* port = getenv("KUBERNETES_SERVICE_PORT");
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return "https://" + h + ":" + (port != nullptr && *port != '\0' ? port : "443");
}

std::string encode_query_value(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

KubeClient::KubeClient(KubeConfig config) : config_(std::move(config)) {}

KubeResponse KubeClient::call(const std::string& method, const std::string& path_and_query,
                              const std::string& content_type, const std::string& body) const {
  KubeResponse out;
  const std::string what = method + " " + path_and_query;
  std::string error;
  auto token = read_token(config_.token_file, error);
  if (!token) {
    out.error = what + ": " + error;
    return out;
  }
  httplib::Client client(config_.api_url);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(config_.timeout);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(config_.timeout - seconds);
  client.set_connection_timeout(seconds.count(), micros.count());
  client.set_read_timeout(seconds.count(), micros.count());
  client.set_write_timeout(seconds.count(), micros.count());
  if (config_.api_url.rfind("https://", 0) == 0) {
    client.set_ca_cert_path(config_.ca_file.c_str());
    client.enable_server_certificate_verification(true);
  }
  httplib::Headers headers{{"Authorization", "Bearer " + *token}, {"Accept", "application/json"}};
  httplib::Result res{nullptr, httplib::Error::Unknown};
  if (method == "GET") {
    res = client.Get(path_and_query, headers);
  } else if (method == "POST") {
    res = client.Post(path_and_query, headers, body, content_type);
  } else if (method == "PATCH") {
    res = client.Patch(path_and_query, headers, body, content_type);
  } else {
    out.error = what + ": unsupported method";
    return out;
  }
  if (!res) {
    out.error = what + " to the Kubernetes API at " + config_.api_url + ": no response (" +
                httplib::to_string(res.error()) + ")";
    return out;
  }
  out.status = res->status;
  out.body = nlohmann::json::parse(res->body, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  if (res->status < 200 || res->status >= 300) {
    out.error =
        what + " answered " + std::to_string(res->status) + " " + status_text(out.body, res->body);
  } else if (!out.body.is_object()) {
    out.error = what + " answered " + std::to_string(res->status) + " without a JSON object";
  }
  return out;
}

}  // namespace auto_healer
