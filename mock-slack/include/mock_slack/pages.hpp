#pragma once
// mock-slack's web UI on the API listener: the timeline (/), incidents, postmortem drafts, the
// Slack channels and the stylesheet. The rendering is mock_slack::ui's; the handlers (Receiver's,
// rows of routes.cpp's table) are in pages.cpp, with what they need declared here: the pages'
// options and settings, and the postmortem draft and its command. Every response of these routes
// carries ui::kContentSecurityPolicy. Thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "firedrill/service.hpp"
#include "mock_slack/auth.hpp"
#include "mock_slack/store.hpp"
#include "mock_slack_ui/postmortem.hpp"

namespace CLI {
class App;  // CLI/CLI.hpp, included only where a command line is built
}  // namespace CLI

namespace mock_slack {

struct PagesOptions {
  /// Prometheus for the postmortem's error-budget figures; empty: not configured, and the draft
  /// says the figures were not available.
  std::string prometheus_url;
  ui::BudgetFetchOptions budget;
  /// Bars in the timeline chart at most (the newest occurrences of the window).
  std::size_t chart_max_occurrences = 250;
  /// Webhook notifications shown in a receiver's channel at most.
  std::size_t channel_max_notifications = 200;
  /// The alarm shown at the top of every page while it is not empty (the Watchdog's banner());
  /// unset: none.
  std::function<std::string()> banner;
};

/// --prometheus-url (MOCKSLACK_PROMETHEUS_URL) and --slo-period (MOCKSLACK_SLO_PERIOD, 30d).
struct PagesSettings {
  std::string prometheus_url;
  std::string slo_period = "30d";
};
void add_page_options(CLI::App& app, PagesSettings& settings);
/// Throws std::invalid_argument naming the setting.
PagesOptions resolve(const PagesSettings& settings);

/// The Markdown postmortem draft of incident `id` at `now`, or nullopt for an unknown incident.
/// Queries Prometheus (blocking) when options.prometheus_url is set.
std::optional<std::string> postmortem_draft(const Store& store, std::int64_t id, TimePoint now,
                                            const PagesOptions& options);

/// `mock-slack postmortem --db FILE --incident ID [--out FILE] [--prometheus-url URL]`.
struct PostmortemCommand {
  std::string db;
  std::int64_t incident = 0;
  std::string out;  ///< empty: stdout
  PagesSettings pages;
};
CLI::App* add_postmortem_command(CLI::App& app, PostmortemCommand& command);
/// Runs the command: 0 on success, 2 for a missing database or incident or a bad setting (one
/// line on stderr), 1 when the draft cannot be written. `clock` dates the draft.
int run_postmortem_command(const PostmortemCommand& command,
                           firedrill::alerting::Clock clock = firedrill::alerting::system_now);

}  // namespace mock_slack
