#include "batch_sync/http_peer.hpp"

#include <algorithm>

namespace batch_sync {

namespace {

constexpr std::size_t kMaxBodyInError = 200;

std::string body_excerpt(const std::string& body) {
  std::string text = body.substr(0, kMaxBodyInError);
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (body.size() > kMaxBodyInError) text += "...";
  return text;
}

std::string transport_error_text(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
      return "connection failed";
    case httplib::Error::ConnectionTimeout:
      return "connection timed out";
    case httplib::Error::Read:
      return "reading the response failed or timed out";
    case httplib::Error::Write:
      return "sending the request failed or timed out";
    default:
      return "request failed: " + httplib::to_string(error);
  }
}

bool transport_error_is_transient(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:
    case httplib::Error::Read:
    case httplib::Error::Write:
    case httplib::Error::SSLConnection:
      return true;
    default:
      return false;
  }
}

HttpResult to_result(const httplib::Result& res) {
  HttpResult out;
  out.error = res.error();
  if (res) {
    out.status = res->status;
    out.body = res->body;
  }
  return out;
}

}  // namespace

Attempt classify(const HttpResult& result, std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  if (result.error != httplib::Error::Success) {
    std::string text = prefix + transport_error_text(result.error);
    return transport_error_is_transient(result.error) ? Attempt::transient(std::move(text))
                                                      : Attempt::permanent(std::move(text));
  }
  if (result.status >= 200 && result.status < 300) return Attempt::ok();
  std::string text = prefix + "answered " + std::to_string(result.status);
  if (!result.body.empty()) text += ": " + body_excerpt(result.body);
  if (result.status >= 500 && result.status < 600) return Attempt::transient(std::move(text));
  return Attempt::permanent(std::move(text));
}

HttpPeer::HttpPeer(PeerUrl url, std::string bearer_token)
    : url_(std::move(url)), bearer_token_(std::move(bearer_token)) {}

httplib::Client HttpPeer::client(std::chrono::milliseconds timeout) const {
  httplib::Client c(url_.origin());
  // cpp-httplib treats a zero timeout as "poll once"; keep at least a millisecond.
  const auto t = std::max(timeout, std::chrono::milliseconds{1});
  c.set_connection_timeout(t);
  c.set_read_timeout(t);
  c.set_write_timeout(t);
  c.set_keep_alive(false);
  c.set_follow_location(false);
  if (!bearer_token_.empty()) c.set_bearer_token_auth(bearer_token_);
  return c;
}

HttpResult HttpPeer::get(std::string_view path, std::chrono::milliseconds timeout) const {
  auto c = client(timeout);
  const std::string target = url_.base_path + std::string(path);
  return to_result(c.Get(target.c_str(), httplib::Headers{{"Accept", "application/json"}}));
}

HttpResult HttpPeer::post_json(std::string_view path, const std::string& body,
                               std::chrono::milliseconds timeout) const {
  auto c = client(timeout);
  const std::string target = url_.base_path + std::string(path);
  return to_result(c.Post(target.c_str(), httplib::Headers{{"Accept", "application/json"}}, body,
                          "application/json"));
}

std::string HttpPeer::describe(std::string_view method, std::string_view path) const {
  return std::string(method) + " " + url_.to_string() + std::string(path);
}

}  // namespace batch_sync
