#pragma once
// What a Store holds: its group commit (the writer thread) and its read side. Internal to
// mock-slack's store; each room that implements a part of Store's API includes it.

#include "group_commit.hpp"
#include "mock_slack/store.hpp"
#include "read_side.hpp"
#include "sqlite.hpp"

namespace mock_slack {

class Store::Impl {
 public:
  Impl(const StoreOptions& options, Clock now, prometheus::Registry* registry)
      : clock(now), writes(options, registry), reads(options) {}

  std::int64_t now_ns() const { return sqlite::ns(clock()); }

  Clock clock;
  writer::GroupCommit writes;
  reader::ReadSide reads;
};

}  // namespace mock_slack
