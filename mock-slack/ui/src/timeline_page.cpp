// `/`: render_timeline(), with its chart (tests/timeline_page_test.cpp).
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mock_slack_ui/html.hpp"
#include "page_layout.hpp"
#include "text.hpp"

namespace mock_slack::ui {

using namespace detail;  // the pages' shared parts (page_layout.hpp)

namespace {

constexpr double kChartWidth = kChartPlotLeft + kChartPlotWidth + 30.0;
constexpr double kRowHeight = 16.0;
constexpr double kBarHeight = 12.0;
constexpr double kChartTop = 4.0;
constexpr int kTicks = 6;

/// Adds the chart's rows, ticks and size to `d`; whether any bar is in the window.
bool add_chart(mus::data& d, const TimelinePage& page, TimeWindow window, UnixMillis now_ms) {
  // Rows: one per incident, newest (latest start) first; occurrences without an incident last.
  struct Row {
    std::optional<std::int64_t> incident_id;
    UnixMillis newest_start_ms = 0;
    std::vector<const OccurrenceView*> occurrences;
  };
  std::map<std::optional<std::int64_t>, Row> by_incident;
  for (const OccurrenceView& o : page.chart_occurrences) {
    Row& row = by_incident[o.incident_id];
    row.incident_id = o.incident_id;
    row.newest_start_ms =
        row.occurrences.empty() ? o.starts_at_ms : std::max(row.newest_start_ms, o.starts_at_ms);
    row.occurrences.push_back(&o);
  }
  std::vector<Row*> rows;
  rows.reserve(by_incident.size());
  for (auto& [id, row] : by_incident) rows.push_back(&row);
  std::sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) {
    if (a->incident_id.has_value() != b->incident_id.has_value()) return a->incident_id.has_value();
    if (a->newest_start_ms != b->newest_start_ms) return a->newest_start_ms > b->newest_start_ms;
    return a->incident_id > b->incident_id;
  });

  mus::data& row_list = add_list(d, "rows", rows.size());
  std::size_t row_index = 0;
  std::vector<std::pair<const OccurrenceView*, ChartBar>> visible;
  for (const Row* row : rows) {
    visible.clear();
    for (const OccurrenceView* o : row->occurrences) {
      if (const auto bar = chart_bar(o->starts_at_ms, o->ends_at_ms, window, now_ms)) {
        visible.emplace_back(o, *bar);
      }
    }
    if (visible.empty()) continue;
    const double y = kChartTop + static_cast<double>(row_index) * kRowHeight;
    const std::string href = row->incident_id ? incident_href(*row->incident_id) : std::string("/");
    mus::data& r = append_object(row_list);
    mus::data& bars = add_list(r, "bars", visible.size());
    for (const auto& [o, geometry] : visible) {
      const ChartBar* bar = &geometry;
      const bool firing = o->status == AlertStatus::firing;
      const std::string severity = detail::severity_of(*o);
      mus::data& b = append_object(bars);
      b.set("x", detail::format_fixed(bar->x, 2));
      b.set("y", detail::format_fixed(y, 2));
      b.set("width", detail::format_fixed(bar->width, 2));
      b.set("height", detail::format_fixed(kBarHeight, 2));
      b.set("fill", severity_fill(severity_rank(severity)));
      b.set("state", firing ? "firing" : "resolved");
      b.set("firing", firing);
      b.set("resolved", !firing);
      b.set("href", href);
      std::string tooltip = o->alertname + " (" + display_severity(severity) + ", " +
                            to_string(o->status) + ") from " + detail::format_utc(o->starts_at_ms);
      tooltip += o->ends_at_ms ? " to " + detail::format_utc(*o->ends_at_ms) : " to now";
      if (const auto it = o->labels.find("instance"); it != o->labels.end()) {
        tooltip += " on " + it->second;
      }
      b.set("tooltip", tooltip);
    }
    r.set("href", href);
    r.set("text_y", detail::format_fixed(y + kBarHeight - 2, 2));
    std::string label = row->incident_id ? "#" + std::to_string(*row->incident_id) + " " : "";
    label += row->occurrences.front()->alertname;
    r.set("label", truncate_utf8(label, 22));
    ++row_index;
  }

  const double axis_y = kChartTop + static_cast<double>(row_index) * kRowHeight + 2;
  mus::data ticks{mus::data::type::list};
  const UnixMillis span = window.until_ms - window.since_ms;
  for (int i = 0; i <= kTicks; ++i) {
    const UnixMillis t = window.since_ms + span * i / kTicks;
    const std::string utc = detail::format_utc(t);  // "YYYY-MM-DD HH:MM:SSZ"
    mus::data tick;
    tick.set("x", detail::format_fixed(kChartPlotLeft + kChartPlotWidth * i / kTicks, 2));
    tick.set("label", span <= UnixMillis{24} * 3'600'000 ? utc.substr(11, 5) : utc.substr(5, 11));
    ticks.push_back(tick);
  }
  d.set("ticks", ticks);
  d.set("axis_y", detail::format_fixed(axis_y, 2));
  d.set("label_y", detail::format_fixed(axis_y + 12, 2));
  d.set("chart_width", detail::format_fixed(kChartWidth, 0));
  d.set("chart_height", detail::format_fixed(axis_y + 16, 0));
  return row_index > 0;
}

}  // namespace

std::string render_timeline(const TimelinePage& page, const TimelineQuery& query,
                            UnixMillis now_ms) {
  const TimeWindow window = resolve_window(query, now_ms);
  mus::data d;
  d.set("has_chart", add_chart(d, page, window, now_ms));

  mus::data status_options{mus::data::type::list};
  status_options.push_back(option("", "any", !query.status));
  status_options.push_back(option("firing", "firing", query.status == AlertStatus::firing));
  status_options.push_back(option("resolved", "resolved", query.status == AlertStatus::resolved));
  d.set("status_options", status_options);
  d.set("severity", query.severity);
  d.set("alertname", query.alertname);
  d.set("service", query.service);
  mus::data matchers{mus::data::type::list};
  for (const std::string& m : query.matchers) {
    mus::data md;
    md.set("value", m);
    matchers.push_back(md);
  }
  d.set("matchers", matchers);

  mus::data range_options{mus::data::type::list};
  mus::data range_links{mus::data::type::list};
  for (const RangePreset preset :
       {RangePreset::last_1h, RangePreset::last_6h, RangePreset::last_24h, RangePreset::last_7d,
        RangePreset::last_30d, RangePreset::custom}) {
    const std::string name(range_name(preset));
    range_options.push_back(option(name, name, preset == query.range));
    if (preset == RangePreset::custom) continue;
    TimelineQuery q = query;
    q.range = preset;
    q.since_ms.reset();
    q.until_ms.reset();
    q.cursor.clear();
    mus::data link;
    link.set("label", name);
    link.set("href", timeline_href(q));
    link.set("current", preset == query.range);
    range_links.push_back(link);
  }
  d.set("range_options", range_options);
  d.set("range_links", range_links);
  if (query.range == RangePreset::custom) {
    if (query.since_ms) d.set("since_value", detail::format_datetime_local(*query.since_ms));
    if (query.until_ms) d.set("until_value", detail::format_datetime_local(*query.until_ms));
  }
  std::vector<int> refresh_values{0, 10, 30, 60, 300};
  if (std::find(refresh_values.begin(), refresh_values.end(), query.refresh_seconds) ==
      refresh_values.end()) {
    refresh_values.push_back(query.refresh_seconds);
  }
  mus::data refresh_options{mus::data::type::list};
  for (const int r : refresh_values) {
    refresh_options.push_back(option(std::to_string(r), r == 0 ? "off" : std::to_string(r) + " s",
                                     r == query.refresh_seconds));
  }
  d.set("refresh_options", refresh_options);
  d.set("has_limit", query.limit != TimelineQuery{}.limit);
  d.set("limit", std::to_string(query.limit));

  d.set("incidents", std::to_string(page.counts.incidents));
  d.set("incidents_firing", std::to_string(page.counts.incidents_firing));
  d.set("occurrences", std::to_string(page.counts.occurrences));
  d.set("occurrences_firing", std::to_string(page.counts.occurrences_firing));
  d.set("window_since", detail::format_utc(window.since_ms));
  d.set("window_until", detail::format_utc(window.until_ms));

  mus::data legend{mus::data::type::list};
  for (const auto& [rank, label] :
       std::array<std::pair<int, const char*>, 5>{{{4, "critical / page"},
                                                   {3, "error"},
                                                   {2, "warning / ticket"},
                                                   {1, "info, other"},
                                                   {0, "no severity"}}}) {
    mus::data item;
    item.set("fill", severity_fill(rank));
    item.set("label", label);
    legend.push_back(item);
  }
  d.set("legend", legend);

  // The incident table is "incidents" in the counts line too; name the list distinctly.
  mus::data& rows = add_list(d, "incident_rows", page.incidents.size());
  for (const IncidentView& incident : page.incidents) {
    const detail::IncidentFacts facts = detail::incident_facts(incident);
    const std::string& severity = facts.highest_severity;
    mus::data& r = append_object(rows);
    r.set("id", std::to_string(incident.id));
    r.set("href", incident_href(incident.id));
    r.set("status", to_string(incident.status));
    r.set("severity", display_severity(severity));
    r.set("severity_rank", std::to_string(severity_rank(severity)));
    r.set("title", incident_title(incident));
    r.set("services", join(facts.services, ", "));
    r.set("started", detail::format_utc(facts.started_at_ms));
    r.set("duration",
          detail::format_duration(incident.resolved_at_ms.value_or(now_ms) - facts.started_at_ms));
  }
  d.set("has_incidents", !page.incidents.empty());

  if (!query.cursor.empty()) {
    TimelineQuery first = query;
    first.cursor.clear();
    d.set("has_first", true);
    d.set("first_href", timeline_href(first));
  }
  if (!page.next_cursor.empty()) {
    TimelineQuery next = query;
    next.cursor = page.next_cursor;
    d.set("has_next", true);
    d.set("next_href", timeline_href(next));
  }
  return layout("Alert timeline", query.refresh_seconds, Page::timeline, d);
}

}  // namespace mock_slack::ui
