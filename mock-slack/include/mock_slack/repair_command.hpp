#pragma once
// `mock-slack repair-summaries --db FILE`: recomputes every incident's summary from its
// occurrences (Store::repair_summaries), for a database whose incremental summaries are in doubt.
// Safe beside a running mock-slack (WAL; the write waits for the busy timeout).

#include <iosfwd>
#include <string>

namespace CLI {
class App;  // CLI/CLI.hpp, included only where a command line is built
}  // namespace CLI

namespace mock_slack {

struct RepairCommand {
  std::string db;
};
CLI::App* add_repair_command(CLI::App& app, RepairCommand& command);
/// 0 and one line on `out` ("repaired N of M incidents") on success; 2 and one line on `err` for a
/// missing or unreadable database; 1 when the database cannot be written now.
int run_repair_command(const RepairCommand& command, std::ostream& out, std::ostream& err);

}  // namespace mock_slack
