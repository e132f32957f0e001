#pragma once
// The report of one scan to the Pushgateway, as batch-sync reports its runs: gauges under
// job="auto-healer-scan" and no instance label, pushed with Gateway::Push() (POST in
// prometheus-cpp 1.0), so that a failed run leaves the last success's timestamp in place.

#include <prometheus/registry.h>

#include <chrono>
#include <memory>
#include <string>

#include "auto_healer/kit.hpp"
#include "auto_healer/peer.hpp"
#include "auto_healer/scan.hpp"

namespace auto_healer {

inline constexpr const char* kScanPushJob = "auto-healer-scan";

std::shared_ptr<prometheus::Registry> scan_registry(const ScanReport& report,
                                                    double finished_unix_seconds,
                                                    double duration_seconds);

/// Pushes on a helper thread (the Gateway has no timeout of its own) and waits up to `timeout`;
/// "" on success, else what went wrong: "push to the Pushgateway at URL: answered 400", "...: no
/// response (curl error 7: <libcurl's words>)" or "...: no answer within the timeout".
std::string push_scan_report(const std::shared_ptr<prometheus::Registry>& registry,
                             const Peer& pushgateway, std::chrono::milliseconds timeout);

}  // namespace auto_healer
