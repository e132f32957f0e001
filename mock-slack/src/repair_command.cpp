#include "mock_slack/repair_command.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <ostream>

#include "mock_slack/store.hpp"

namespace mock_slack {

CLI::App* add_repair_command(CLI::App& app, RepairCommand& c) {
  auto* sub = app.add_subcommand(
      "repair-summaries", "Recompute every incident's summary (counts, severity, names, services)");
  sub->add_option("--db", c.db, "The mock-slack SQLite database, or its PostgreSQL URI")
      ->required();
  return sub;
}

int run_repair_command(const RepairCommand& c, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  if (!is_postgres(c.db) && !std::filesystem::is_regular_file(c.db, ec)) {
    err << "mock-slack repair-summaries: --db: no database at " << c.db << "\n";
    return 2;
  }
  try {
    StoreOptions so;
    so.path = c.db;
    so.read_connections = 1;
    Store store(so);
    const auto r = store.repair_summaries();
    out << "repaired " << r.corrected << " of " << r.incidents << " incidents\n";
    return 0;
  } catch (const StoreUnavailable& e) {
    err << "mock-slack repair-summaries: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "mock-slack repair-summaries: --db: cannot repair " << printable_location(c.db) << ": "
        << e.what() << "\n";
    return 2;
  }
}

}  // namespace mock_slack
