#pragma once
// A stand-in for kube-apiserver, which no Debian package ships: an HTTP server on port 0 that
// records every request (method, path, query, content type, body, Authorization) and answers
// with the real API server's shapes (DeploymentList, PodList, Deployment, Status objects for
// 403/404/409), as kube-apiserver v1.28 writes them.

#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace auto_healer::testing {

struct SeenRequest {
  std::string method;
  std::string path;
  std::string query;  ///< raw, as sent ("fieldManager=auto-healer&dryRun=All")
  std::string content_type;
  std::string authorization;
  std::string body;
};

struct Canned {
  int status = 200;
  nlohmann::json body;
};

/// A Status object exactly as the API server answers errors.
inline nlohmann::json status_object(int code, const std::string& reason, const std::string& message,
                                    const std::string& name, const std::string& kind) {
  return {{"kind", "Status"},
          {"apiVersion", "v1"},
          {"metadata", nlohmann::json::object()},
          {"status", "Failure"},
          {"message", message},
          {"reason", reason},
          {"details", {{"name", name}, {"group", "apps"}, {"kind", kind}}},
          {"code", code}};
}

/// A Deployment as GET returns it (fields the auto-healer does not read left out).
inline nlohmann::json deployment(const std::string& ns, const std::string& name,
                                 bool autoheal = true) {
  nlohmann::json labels = {{"app.kubernetes.io/name", name}};
  if (autoheal) labels["firedrill.io/autoheal"] = "true";
  return {
      {"kind", "Deployment"},
      {"apiVersion", "apps/v1"},
      {"metadata",
       {{"name", name},
        {"namespace", ns},
        {"uid", "5f1c9e0a-4d2b-4a8e-9c3f-2b7d41a0e6c1"},
        {"resourceVersion", "48213"},
        {"generation", 3},
        {"creationTimestamp", "2026-11-30T09:12:44Z"},
        {"labels", labels},
        {"annotations", {{"deployment.kubernetes.io/revision", "3"}}}}},
      {"spec",
       {{"replicas", 2},
        {"selector", {{"matchLabels", {{"app.kubernetes.io/name", name}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app.kubernetes.io/name", name}}}}},
          {"spec",
           {{"containers", {{{"name", name}, {"image", "firedrill/" + name + ":0.1.0"}}}}}}}},
        {"strategy",
         {{"type", "RollingUpdate"},
          {"rollingUpdate", {{"maxUnavailable", "25%"}, {"maxSurge", "25%"}}}}},
        {"revisionHistoryLimit", 10},
        {"progressDeadlineSeconds", 600}}},
      {"status",
       {{"observedGeneration", 3},
        {"replicas", 2},
        {"updatedReplicas", 2},
        {"readyReplicas", 1},
        {"availableReplicas", 1},
        {"unavailableReplicas", 1},
        {"conditions",
         {{{"type", "Available"}, {"status", "True"}, {"reason", "MinimumReplicasAvailable"}},
          {{"type", "Progressing"}, {"status", "True"}, {"reason", "NewReplicaSetAvailable"}}}}}}};
}

class FakeApiServer {
 public:
  FakeApiServer() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      std::string query;
      // The raw query as the client sent it: target minus path.
      const auto q = req.target.find('?');
      if (q != std::string::npos) query = req.target.substr(q + 1);
      Canned answer;
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(SeenRequest{req.method, req.path, query,
                                    req.get_header_value("Content-Type"),
                                    req.get_header_value("Authorization"), req.body});
        if (on_request_) on_request_(seen_.back());
        auto it = routes_.find(req.method + " " + req.path);
        if (it != routes_.end()) {
          answer = it->second;
        } else {
          answer = Canned{
              404, status_object(404, "NotFound",
                                 "the server could not find the requested resource", "", "")};
        }
      }
      res.status = answer.status;
      res.set_content(answer.body.dump(), "application/json");
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    server_.Patch(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // cpp-httplib 0.11 has no wait_until_ready(): poll is_running() with a deadline.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
  }
  ~FakeApiServer() {
    server_.stop();
    thread_.join();
  }
  FakeApiServer(const FakeApiServer&) = delete;
  FakeApiServer& operator=(const FakeApiServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void answer(const std::string& method_and_path, Canned canned) {
    std::lock_guard lock(mutex_);
    routes_[method_and_path] = std::move(canned);
  }
  std::vector<SeenRequest> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  /// Called with each request as it arrives, under the server's lock (keep it short).
  void on_request(std::function<void(const SeenRequest&)> hook) {
    std::lock_guard lock(mutex_);
    on_request_ = std::move(hook);
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<std::string, Canned> routes_;
  std::vector<SeenRequest> seen_;
  std::function<void(const SeenRequest&)> on_request_;
};

}  // namespace auto_healer::testing
