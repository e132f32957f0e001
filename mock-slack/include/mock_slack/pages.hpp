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
#include "mock_slack_ui/sli.hpp"

namespace CLI {
class App;  // CLI/CLI.hpp, included only where a command line is built
}  // namespace CLI

namespace mock_slack {

struct PagesOptions {
  /// Prometheus for the SLI chart and the postmortem's impact window and error budget; empty:
  /// not configured, and the page and the draft say the figures are not available.
  std::string prometheus_url;
  ui::SliOptions sli;
  /// How long the incident page and its chart reuse one fetch of the SLI (sli_cache.hpp); 0: not
  /// at all. The postmortem draft always fetches.
  std::chrono::milliseconds sli_cache_ttl{std::chrono::seconds(10)};
  /// Bars in the timeline chart at most (the newest occurrences of the window).
  std::size_t chart_max_occurrences = 250;
  /// Webhook notifications shown in a receiver's channel at most.
  std::size_t channel_max_notifications = 200;
  /// The alarm shown at the top of every page while it is not empty (the Watchdog's banner());
  /// unset: none.
  std::function<std::string()> banner;
};

/// --prometheus-url (MOCKSLACK_PROMETHEUS_URL), --slo-period (MOCKSLACK_SLO_PERIOD, 30d) and
/// --impact-step (MOCKSLACK_IMPACT_STEP, 1m).
struct PagesSettings {
  std::string prometheus_url;
  std::string slo_period = "30d";
  std::string impact_step = "1m";
};
void add_page_options(CLI::App& app, PagesSettings& settings);
/// Throws std::invalid_argument naming the setting.
PagesOptions resolve(const PagesSettings& settings);

/// A postmortem draft and its SLI chart.
struct PostmortemDraft {
  std::string markdown;
  /// The SLI chart (SVG); nullopt when no Prometheus is configured or it did not answer (the
  /// draft says which).
  std::optional<std::string> sli_svg;
};

/// The postmortem draft of incident `id` at `now`, or nullopt for an unknown incident. Queries
/// Prometheus (blocking) when options.prometheus_url is set. The draft links the chart at
/// `chart_link` (empty: no link).
std::optional<PostmortemDraft> postmortem_draft(const Store& store, std::int64_t id, TimePoint now,
                                                const PagesOptions& options,
                                                std::string_view chart_link);

/// `mock-slack postmortem --db FILE --incident ID [--out FILE] [--prometheus-url URL]`. With
/// --out and a chart, the SVG is written beside the draft (`<out without .md>.sli.svg`) and the
/// draft links it by that file name.
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
