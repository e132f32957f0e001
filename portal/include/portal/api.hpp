#pragma once
// The portal's API: its catalogue, the CPU burner of GET /api/work and the index page. The
// routes themselves are rows of Portal's route table (src/routes.cpp), handled in src/api.cpp.
// Pure; thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "firedrill/http_server.hpp"
#include "portal/faults.hpp"

namespace portal {

/// One product of the in-memory catalogue.
struct Item {
  int id = 0;
  std::string name;
  int price_cents = 0;
};

/// The fixed catalogue: ids 1..kCatalogueSize.
inline constexpr int kCatalogueSize = 20;
const std::vector<Item>& catalogue();

/// Largest order quantity accepted.
inline constexpr int kMaxOrderQuantity = 100;

/// Settings of the API routes.
struct ApiOptions {
  /// GET /api/work?ms=N burns at most this much CPU time per request.
  std::chrono::milliseconds work_cap{1000};
};

/// Burns about `cpu_time` of this thread's CPU time; returns a checksum of the work done.
std::uint64_t burn_cpu(std::chrono::milliseconds cpu_time);

/// The HTML of GET /: what the portal is and its current fault state.
std::string index_page(const FaultState& state);

}  // namespace portal
