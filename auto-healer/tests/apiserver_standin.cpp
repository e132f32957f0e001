// auto-healer-apiserver-standin: the stand-in kube-apiserver of fake_apiserver.hpp as a process,
// for the shell test of `auto-healer scan` (tests/scan_push_test.sh). No Debian package ships a
// kube-apiserver; this answers with its shapes (DeploymentList, PodList, Deployment, Event,
// Status for 403), as fake_apiserver.hpp writes them. It serves two labelled Deployments:
//   - firedrill/portal, whose one pod restarted 3 times since the last pass (its ledger annotation
//     remembers 40, the pod says 43): a scan with the default threshold restarts it;
//   - shop/search, whose pod did not restart since (7 and 7): below the threshold.
// --forbid-pods NAMESPACE makes the pod list there answer 403, as RBAC does.
// It binds port 0 on 127.0.0.1, writes its URL to --url-file (complete or not at all), appends
// every request as a JSON line to --requests-file, and serves until SIGTERM or SIGINT.
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "auto_healer/restart_ledger.hpp"
#include "fake_apiserver.hpp"

namespace {

using auto_healer::testing::Canned;
using auto_healer::testing::FakeApiServer;
using auto_healer::testing::SeenRequest;
using nlohmann::json;

json pod_list(const std::string& name, const std::string& uid, std::int64_t restarts) {
  return {{"kind", "PodList"},
          {"apiVersion", "v1"},
          {"metadata", {{"resourceVersion", "48230"}}},
          {"items",
           {{{"metadata",
              {{"name", name + "-6c8d9b7f5-x2x9q"},
               {"uid", uid},
               {"creationTimestamp", "2026-11-30T08:00:00Z"},
               {"labels", {{"app.kubernetes.io/name", name}}}}},
             {"status",
              {{"phase", "Running"},
               {"containerStatuses",
                {{{"name", name}, {"ready", true}, {"restartCount", restarts}}}}}}}}}};
}

/// Serves one labelled Deployment in `ns` whose pod restarted `restarts` times, `remembered` of
/// them already seen by the last pass.
void serve_deployment(FakeApiServer& api, const std::string& ns, const std::string& name,
                      const std::string& uid, std::int64_t remembered, std::int64_t restarts,
                      bool forbid_pods) {
  namespace t = auto_healer::testing;
  json d = t::deployment(ns, name);
  d["metadata"]["annotations"][auto_healer::kLedgerAnnotation] =
      json{{"increases", json::array()}, {"pods", {{uid, remembered}}}}.dump();
  const std::string deployments = "/apis/apps/v1/namespaces/" + ns + "/deployments";
  api.answer("GET " + deployments, Canned{200, json{{"kind", "DeploymentList"},
                                                    {"apiVersion", "apps/v1"},
                                                    {"metadata", {{"resourceVersion", "48231"}}},
                                                    {"items", {d}}}});
  api.answer("PATCH " + deployments + "/" + name, Canned{200, d});
  api.answer("POST /api/v1/namespaces/" + ns + "/events",
             Canned{201, json{{"kind", "Event"}, {"apiVersion", "v1"}}});
  api.answer("GET /api/v1/namespaces/" + ns + "/pods",
             forbid_pods
                 ? Canned{403, t::status_object(403, "Forbidden",
                                                "pods is forbidden: User "
                                                "\"system:serviceaccount:" +
                                                    ns +
                                                    ":auto-healer\" cannot list resource \"pods\" "
                                                    "in API group \"\" in the namespace \"" +
                                                    ns + "\"",
                                                "", "pods")}
                 : Canned{200, pod_list(name, uid, restarts)});
}

}  // namespace

int main(int argc, char** argv) {
  std::string url_file, requests_file, forbid;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--url-file") {
      url_file = argv[i + 1];
    } else if (flag == "--requests-file") {
      requests_file = argv[i + 1];
    } else if (flag == "--forbid-pods") {
      forbid = argv[i + 1];
    } else {
      std::cerr << "auto-healer-apiserver-standin: unknown flag " << flag << "\n";
      return 2;
    }
  }
  if (url_file.empty() || requests_file.empty() || argc % 2 == 0) {
    std::cerr << "usage: auto-healer-apiserver-standin --url-file FILE --requests-file FILE "
                 "[--forbid-pods NAMESPACE]\n";
    return 2;
  }
  // The server's threads inherit the mask: only sigwait() below sees SIGTERM and SIGINT.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  std::ofstream requests(requests_file, std::ios::app);
  if (!requests) {
    std::cerr << "auto-healer-apiserver-standin: cannot write " << requests_file << "\n";
    return 1;
  }
  FakeApiServer api;
  api.on_request([&requests](const SeenRequest& r) {
    requests << json{{"method", r.method},
                     {"path", r.path},
                     {"query", r.query},
                     {"content_type", r.content_type},
                     {"authorization", r.authorization},
                     {"body", r.body}}
                    .dump()
             << std::endl;
  });
  serve_deployment(api, "firedrill", "portal", "pod-uid-portal", 40, 43, forbid == "firedrill");
  serve_deployment(api, "shop", "search", "pod-uid-search", 7, 7, forbid == "shop");
  {
    const std::string partial = url_file + ".partial";
    std::ofstream(partial) << api.url() << "\n";
    if (std::rename(partial.c_str(), url_file.c_str()) != 0) {
      std::cerr << "auto-healer-apiserver-standin: cannot write " << url_file << "\n";
      return 1;
    }
  }
  int received = 0;
  sigwait(&stop, &received);
  return 0;
}
