#pragma once
// batch-sync's outbound HTTP: one call to a peer (Alertmanager, mock-slack) with its timeout and
// credentials, and the classification of its outcome as success, transient or permanent.
// Thread-safe (each call has its own connection).

#include <httplib.h>

#include <chrono>
#include <string>
#include <string_view>

#include "batch_sync/kit.hpp"
#include "batch_sync/retry.hpp"
#include "batch_sync/settings.hpp"

namespace batch_sync {

/// A response, or the transport error that prevented one.
struct HttpResult {
  httplib::Error error = httplib::Error::Success;
  int status = 0;
  std::string body;
};

/// Classifies one outbound call: success is 2xx; connection failures, timeouts and 5xx are
/// transient; 4xx and anything else (TLS verification, redirects) are permanent. `what` names the
/// call in the error text, e.g. "GET http://am:9093/api/v2/alerts".
Attempt classify(const HttpResult& result, std::string_view what);

/// A peer that batch-sync calls over HTTP. One connection per call: a run makes a handful of calls
/// minutes apart, so keep-alive would only add stale-connection failures.
class HttpPeer {
 public:
  HttpPeer(PeerUrl url, std::string bearer_token = {});

  /// GET base_path + path. `timeout` bounds connecting, and each read and write.
  HttpResult get(std::string_view path, std::chrono::milliseconds timeout) const;
  /// POST a JSON body to base_path + path.
  HttpResult post_json(std::string_view path, const std::string& body,
                       std::chrono::milliseconds timeout) const;

  const PeerUrl& url() const { return url_; }
  /// "METHOD http://host:port/prefix/path", for logs and errors.
  std::string describe(std::string_view method, std::string_view path) const;

 private:
  httplib::Client client(std::chrono::milliseconds timeout) const;

  PeerUrl url_;
  std::string bearer_token_;
};

}  // namespace batch_sync
