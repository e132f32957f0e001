// GET /, /incidents/{id}, /incidents/{id}/postmortem.md, /incidents/{id}/sli.svg, /channels,
// /channels/{name} and
// /static/style.css (rows of routes.cpp's table; tests/pages_test.cpp): the web UI's handlers,
// mapping the store's rows into mock_slack::ui's views. Also the pages' settings and the
// `mock-slack postmortem` command.
#include "mock_slack/pages.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "firedrill/cli.hpp"
#include "firedrill/duration.hpp"
#include "firedrill/log.hpp"
#include "firedrill/text.hpp"
#include "mock_slack/incident_events.hpp"
#include "mock_slack/receiver.hpp"
#include "mock_slack/view_mapping.hpp"
#include "mock_slack_ui/html.hpp"
#include "mock_slack_ui/sli_chart.hpp"

namespace mock_slack {

namespace {

/// The incident's view with its incident events (incident_events.hpp) and the silences of its
/// alerts in it.
ui::IncidentView incident_view(const Store& store, const IncidentDetail& detail) {
  ui::IncidentView view = to_view(detail);
  for (const IncidentEvent& e : incident_events(store, detail)) {
    view.events.push_back({to_unix_ms(e.at), e.author, e.kind, e.text, e.details});
  }
  std::vector<std::string> silence_ids;
  for (const Occurrence& o : detail.occurrences) {
    if (!o.silenced_by.is_array()) continue;
    for (const auto& id : o.silenced_by) {
      if (id.is_string()) silence_ids.push_back(id.get<std::string>());
    }
  }
  std::sort(silence_ids.begin(), silence_ids.end());
  silence_ids.erase(std::unique(silence_ids.begin(), silence_ids.end()), silence_ids.end());
  for (const Silence& s : store.silences_by_id(silence_ids)) view.silences.push_back(to_view(s));
  return view;
}

using httplib::Response;

void respond(Response& res, int status, const std::string& body, std::string_view content_type) {
  res.status = status;
  res.set_header("Content-Security-Policy", std::string(ui::kContentSecurityPolicy));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_content(body, std::string(content_type).c_str());
}

constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

void error_page(Response& res, int status, std::string_view title, std::string_view detail) {
  respond(res, status, ui::render_error_page(title, detail), ui::kHtmlContentType);
}

using firedrill::cut;

/// A decimal id of at most 18 digits, or nullopt.
std::optional<std::int64_t> parse_id(const std::string& text) {
  if (text.size() > 18) return std::nullopt;
  return firedrill::parse_decimal<std::int64_t>(text);
}

}  // namespace

void add_page_options(CLI::App& app, PagesSettings& s) {
  app.add_option("--prometheus-url", s.prometheus_url,
                 "Prometheus queried for the SLI chart and the postmortem's impact window and "
                 "error budget (empty: none)")
      ->envname("MOCKSLACK_PROMETHEUS_URL");
  app.add_option("--slo-period", s.slo_period,
                 "The SLO period the postmortem's error-budget share refers to")
      ->envname("MOCKSLACK_SLO_PERIOD")
      ->capture_default_str()
      ->check(firedrill::duration_validator());
  app.add_option("--impact-step", s.impact_step,
                 "The impact window's resolution: the first bad step of the SLI before the alert "
                 "starts it (a few scrape intervals)")
      ->envname("MOCKSLACK_IMPACT_STEP")
      ->capture_default_str()
      ->check(firedrill::duration_validator());
}

PagesOptions resolve(const PagesSettings& s) {
  PagesOptions o;
  o.prometheus_url = s.prometheus_url;
  const auto period = firedrill::parse_duration(s.slo_period);
  if (!period || period->count() <= 0) {
    throw std::invalid_argument("--slo-period: expected a duration such as 30d, got \"" +
                                cut(s.slo_period) + "\"");
  }
  o.sli.period = std::chrono::duration_cast<std::chrono::seconds>(*period);
  if (o.sli.period.count() == 0) throw std::invalid_argument("--slo-period: at least 1s");
  o.sli.period_label = s.slo_period;
  const auto step = firedrill::parse_duration(s.impact_step);
  if (!step || std::chrono::duration_cast<std::chrono::seconds>(*step).count() < 1) {
    throw std::invalid_argument("--impact-step: expected a duration of at least 1s, got \"" +
                                cut(s.impact_step) + "\"");
  }
  o.sli.impact_step = std::chrono::duration_cast<std::chrono::seconds>(*step);
  if (o.sli.impact_step > o.sli.period) {
    throw std::invalid_argument("--impact-step: longer than --slo-period");
  }
  return o;
}

std::optional<PostmortemDraft> postmortem_draft(const Store& store, std::int64_t id, TimePoint now,
                                                const PagesOptions& options,
                                                std::string_view chart_link) {
  auto detail = store.incident(id);
  if (!detail) return std::nullopt;
  const ui::IncidentView incident = incident_view(store, *detail);
  const ui::UnixMillis now_ms = to_unix_ms(now);
  PostmortemDraft out;
  std::optional<ui::IncidentSli> sli;
  if (!options.prometheus_url.empty()) {
    sli = ui::fetch_incident_sli(options.prometheus_url, incident, now_ms, options.sli);
    if (sli->error.empty()) {
      out.sli_svg = ui::render_sli_chart(*sli, ui::incident_times(incident, &*sli), incident.id);
    }
  }
  out.markdown =
      ui::render_postmortem(incident, sli, now_ms, out.sli_svg ? chart_link : std::string_view());
  return out;
}

void Receiver::page_failure(Response& res, int status, std::string_view title,
                            std::string_view detail) const {
  error_page(res, status, title, detail);
}

void Receiver::page(Response& res, int status, std::string html) const {
  const std::string banner = options_.pages.banner ? options_.pages.banner() : std::string();
  respond(res, status, ui::with_banner(std::move(html), banner), ui::kHtmlContentType);
}

void Receiver::timeline_page(const Request& req, Response& res) {
  const auto parsed = ui::parse_timeline_query(req.http.params);
  if (!parsed.error.empty()) {
    page(res, 400, ui::render_error_page("Bad filter", parsed.error));
    return;
  }
  const ui::TimelineQuery& q = parsed.query;
  const ui::UnixMillis now = to_unix_ms(store_.now());
  const ui::TimeWindow window = ui::resolve_window(q, now);
  AlertFilter f;
  try {
    f = to_alert_filter(q, window);
  } catch (const std::invalid_argument& e) {
    page(res, 400, ui::render_error_page("Bad filter", e.what()));
    return;
  }
  ui::TimelinePage view;
  auto incidents = store_.incidents(f);
  view.incidents.reserve(incidents.items.size());
  for (const Incident& i : incidents.items) {
    ui::IncidentView v = to_view(i);
    // The list titles an incident by its alert names; one name-only entry per name is enough.
    for (std::size_t k = 0; k < i.alertnames.size() && k < 4; ++k) {
      ui::OccurrenceView name_only;
      name_only.alertname = i.alertnames[k];
      name_only.starts_at_ms = v.started_at_ms;
      v.occurrences.push_back(std::move(name_only));
    }
    view.incidents.push_back(std::move(v));
  }
  if (incidents.next) view.next_cursor = incidents.next->to_string();

  AlertFilter chart = f;
  chart.cursor.reset();
  chart.limit = options_.pages.chart_max_occurrences;
  for (const OccurrenceBar& o : store_.alert_bars(chart).items) {
    view.chart_occurrences.push_back(to_view(o));
  }
  view.counts = to_view(store_.counts(f));
  page(res, 200, ui::render_timeline(view, q, now));
}

void Receiver::incident_page(const Request& req, Response& res) {
  const auto id = parse_id(req.params.at(0));
  auto detail = id ? store_.incident(*id) : std::nullopt;
  if (!detail) {
    page(res, 404,
         ui::render_error_page("No such incident",
                               "There is no incident " + cut(req.params.at(0)) + "."));
    return;
  }
  ui::IncidentView view = incident_view(store_, *detail);
  view.forms = incident_forms(req, res);  // incident_forms.cpp
  const ui::UnixMillis now_ms = to_unix_ms(store_.now());
  ui::IncidentSliSection sli;
  sli.prometheus_url = options_.pages.prometheus_url;
  if (!sli.prometheus_url.empty()) {
    const auto cached = sli_cache_.get(view, [&] {
      return ui::fetch_incident_sli(sli.prometheus_url, view, now_ms, options_.pages.sli);
    });
    const ui::IncidentSli& fetched = *cached;
    sli.error = fetched.error;
    sli.chart_href = "/incidents/" + std::to_string(view.id) + "/sli.svg";
    sli.figures = ui::sli_summary(fetched);
  }
  page(res, 200, ui::render_incident(view, now_ms, sli));
}

void Receiver::sli_chart(const Request& req, Response& res) {
  const auto id = parse_id(req.params.at(0));
  auto detail = id ? store_.incident(*id) : std::nullopt;
  if (!detail) {
    respond(res, 404, "There is no incident " + cut(req.params.at(0)) + ".\n", kTextContentType);
    return;
  }
  if (options_.pages.prometheus_url.empty()) {
    respond(res, 404,
            "No Prometheus is configured (--prometheus-url): mock-slack has no SLI to draw.\n",
            kTextContentType);
    return;
  }
  const ui::IncidentView view = incident_view(store_, *detail);
  const auto cached = sli_cache_.get(view, [&] {
    return ui::fetch_incident_sli(options_.pages.prometheus_url, view, to_unix_ms(store_.now()),
                                  options_.pages.sli);
  });
  const ui::IncidentSli& sli = *cached;
  if (!sli.error.empty()) {
    respond(res, 503,
            "Prometheus at " + options_.pages.prometheus_url + " did not answer (" + sli.error +
                "): no SLI chart.\n",
            kTextContentType);
    return;
  }
  respond(res, 200, ui::render_sli_chart(sli, ui::incident_times(view, &sli), view.id),
          ui::kSvgContentType);
}

void Receiver::postmortem_page(const Request& req, Response& res) {
  const auto id = parse_id(req.params.at(0));
  auto draft = id ? postmortem_draft(store_, *id, store_.now(), options_.pages,
                                     "/incidents/" + std::to_string(*id) + "/sli.svg")
                  : std::nullopt;
  if (!draft) {
    page(res, 404,
         ui::render_error_page("No such incident",
                               "There is no incident " + cut(req.params.at(0)) + "."));
    return;
  }
  respond(res, 200, draft->markdown, ui::kMarkdownContentType);
}

void Receiver::channels_page(const Request&, Response& res) {
  std::map<std::string, ui::ChannelSummary> merged;
  for (const Channel& c : store_.channels()) merged[c.name] = to_view(c);
  for (const Channel& receiver : store_.receiver_channels()) {
    const ui::ChannelSummary r = to_view(receiver);
    auto [it, inserted] = merged.try_emplace(r.name, r);
    if (inserted) continue;
    it->second.message_count += r.message_count;
    if (r.last_message_at_ms && (!it->second.last_message_at_ms ||
                                 *r.last_message_at_ms > *it->second.last_message_at_ms)) {
      it->second.last_message_at_ms = r.last_message_at_ms;
    }
  }
  std::vector<ui::ChannelSummary> list;
  list.reserve(merged.size());
  for (auto& [name, summary] : merged) list.push_back(std::move(summary));
  page(res, 200, ui::render_channels(list));
}

void Receiver::channel_page(const Request& req, Response& res) {
  // cpp-httplib has already percent-decoded the path, so the parameter is the name itself.
  std::string name = req.params.at(0);
  if (!name.empty() && name.front() == '#') name.erase(0, 1);
  std::vector<ui::SlackMessageView> messages;
  MessageFilter f;
  f.channel = name;
  f.limit = options_.pages.channel_max_notifications;
  for (const Message& m : store_.messages(f).items) messages.push_back(to_view(m));
  // Webhook notifications appear in the channel named after their receiver.
  for (const auto& n :
       store_.receiver_notifications(name, options_.pages.channel_max_notifications)) {
    messages.push_back(ui::default_slack_message(to_view(n)));
  }
  if (messages.empty()) {
    page(res, 404,
         ui::render_error_page("No such channel", "Nothing was posted to #" + cut(name) + "."));
    return;
  }
  page(res, 200, ui::render_channel(name, messages));
}

void Receiver::stylesheet(const Request&, Response& res) {
  respond(res, 200, std::string(ui::style_css()), ui::kCssContentType);
}

// ---- mock-slack postmortem ---------------------------------------------------------------------

namespace {

/// Writes `content` to a temporary file beside `path`, then renames it over `path`; the error
/// ("cannot write X") or empty.
std::string write_atomically(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path tmp =
      path.parent_path() / ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()));
  std::error_code ec;
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    file << content;
    file.flush();
    if (!file) {
      std::filesystem::remove(tmp, ec);
      return "cannot write " + tmp.string();
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::string error = "cannot rename to " + path.string() + ": " + ec.message();
    std::filesystem::remove(tmp, ec);
    return error;
  }
  return {};
}

}  // namespace

CLI::App* add_postmortem_command(CLI::App& app, PostmortemCommand& c) {
  auto* sub =
      app.add_subcommand("postmortem", "Write the Markdown postmortem draft of an incident");
  sub->add_option("--db", c.db, "The mock-slack SQLite database, or its PostgreSQL URI")
      ->required();
  sub->add_option("--incident", c.incident, "The incident id")->required();
  sub->add_option("--out", c.out, "Output file, written atomically (default: stdout)");
  add_page_options(*sub, c.pages);
  return sub;
}

int run_postmortem_command(const PostmortemCommand& c, firedrill::alerting::Clock clock) {
  PagesOptions options;
  try {
    options = resolve(c.pages);
  } catch (const std::invalid_argument& e) {
    std::cerr << "mock-slack postmortem: " << e.what() << "\n";
    return 2;
  }
  std::error_code ec;
  if (!is_postgres(c.db) && !std::filesystem::is_regular_file(c.db, ec)) {
    std::cerr << "mock-slack postmortem: --db: no database at " << c.db << "\n";
    return 2;
  }
  // With --out, the chart goes beside the draft: "2026-11-21-incident-42.md" links
  // "2026-11-21-incident-42.sli.svg" by its file name.
  const std::filesystem::path out(c.out);
  std::filesystem::path svg_path;
  if (!c.out.empty()) {
    svg_path = out;
    svg_path.replace_extension(out.extension() == ".md" ? ".sli.svg"
                                                        : out.extension().string() + ".sli.svg");
  }
  std::optional<PostmortemDraft> draft;
  try {
    StoreOptions so;
    so.path = c.db;
    so.read_connections = 1;
    Store store(so, clock);
    draft = postmortem_draft(store, c.incident, clock(), options,
                             svg_path.empty() ? std::string() : svg_path.filename().string());
  } catch (const std::exception& e) {
    std::cerr << "mock-slack postmortem: --db: cannot read " << printable_location(c.db) << ": "
              << e.what() << "\n";
    return 2;
  }
  if (!draft) {
    std::cerr << "mock-slack postmortem: --incident: no incident " << c.incident << " in " << c.db
              << "\n";
    return 2;
  }
  if (c.out.empty()) {
    std::cout << draft->markdown << std::flush;
    return std::cout ? 0 : 1;
  }
  // The chart first, so that a draft never links a file that is not there.
  if (draft->sli_svg) {
    if (const std::string error = write_atomically(svg_path, *draft->sli_svg); !error.empty()) {
      std::cerr << "mock-slack postmortem: --out: " << error << "\n";
      return 1;
    }
  }
  if (const std::string error = write_atomically(out, draft->markdown); !error.empty()) {
    std::cerr << "mock-slack postmortem: --out: " << error << "\n";
    return 1;
  }
  return 0;
}

}  // namespace mock_slack
