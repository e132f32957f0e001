#pragma once
// A minimal client of the Kubernetes API for the auto-healer: in-cluster configuration (the
// service-account token, re-read on every call because it rotates; the CA;
// KUBERNETES_SERVICE_HOST and _PORT), one JSON request at a time, and the API's Status errors
// turned into one line. Thread-safe: each call builds its own connection.

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "auto_healer/kit.hpp"

namespace auto_healer {

struct KubeConfig {
  /// "https://10.96.0.1:443"; tests use http://127.0.0.1:<port>.
  std::string api_url;
  std::string token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca_file = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::chrono::milliseconds timeout{10000};
  std::string field_manager = "auto-healer";
};

/// The in-cluster address from KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT (443 when
/// unset), or nullopt with `error` when the host is unset: not running in a cluster.
std::optional<std::string> in_cluster_api_url(const std::function<const char*(const char*)>& getenv,
                                              std::string& error);

/// Percent-encodes a query parameter value (labelSelector=firedrill.io%2Fautoheal%3Dtrue).
std::string encode_query_value(std::string_view value);

struct KubeResponse {
  int status = 0;       ///< HTTP status; 0 when no response came
  nlohmann::json body;  ///< parsed, or null
  std::string error;    ///< empty on 2xx: else "GET <path> answered 404 NotFound: <message>"
  bool ok() const { return error.empty(); }
};

class KubeClient {
 public:
  explicit KubeClient(KubeConfig config);
  const KubeConfig& config() const { return config_; }

  /// One request. `path_and_query` is already encoded. A body is sent when `content_type` is set.
  KubeResponse call(const std::string& method, const std::string& path_and_query,
                    const std::string& content_type = {}, const std::string& body = {}) const;

 private:
  KubeConfig config_;
};

}  // namespace auto_healer
