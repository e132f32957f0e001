#pragma once
// The local backend: restarts a component of `make up`'s stack by running a command
// (`scripts/stack restart portal`), with the component's name in place of {target}. Only the
// components given are known, and they count as carrying the selector label: the local stack has
// no labels of its own. Faults in the portal's memory (errors, latency, unready) clear on a
// restart; the crash loop survives it, as a bad configuration would.

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "auto_healer/backend.hpp"
#include "auto_healer/kit.hpp"

namespace auto_healer {

struct LocalConfig {
  std::vector<std::string> restart_command;  ///< argv; "{target}" is replaced by the name
  std::set<std::string, std::less<>> components{"portal"};
  std::string namespace_name = "firedrill";  ///< the namespace the local targets live in
  std::string selector_label = "firedrill.io/autoheal";
  std::string selector_value = "true";
  std::chrono::milliseconds timeout{30000};
};

class LocalBackend final : public Backend {
 public:
  explicit LocalBackend(LocalConfig config);
  std::string name() const override { return "local"; }
  std::optional<Workload> find(const Target& target, std::string& error) override;
  /// Runs the command (no shell), waits for it within the timeout (then kills it), and succeeds
  /// on exit status 0. In dry run nothing is run.
  Outcome restart(const Workload& workload, bool dry_run) override;

 private:
  LocalConfig config_;
};

}  // namespace auto_healer
