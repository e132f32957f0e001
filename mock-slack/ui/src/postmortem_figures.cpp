// The postmortem draft's figures (postmortem_figures.hpp; tests/postmortem_figures_test.cpp and
// tests/sli_prometheus_test.cpp).
#include "postmortem_figures.hpp"

#include <cmath>

#include "mock_slack_ui/postmortem.hpp"
#include "text.hpp"

namespace mock_slack::ui::detail {
namespace {

std::string percent(double ratio, int decimals = 2) {
  return format_fixed(ratio * 100.0, decimals) + "%";
}

std::string count(double v) { return format_fixed(v, std::fabs(v - std::round(v)) < 0.05 ? 0 : 1); }

std::string seconds(UnixMillis ms) { return format_duration(ms); }

std::string by(const std::string& author) {
  return author.empty() ? std::string() : " by " + markdown_escape(author);
}

void duration_figure(std::ostringstream& md, std::string_view name, std::optional<UnixMillis> to,
                     std::optional<UnixMillis> from, std::string_view how) {
  md << "- **" << name << ":** "
     << (to && from ? seconds(*to - *from) : std::string("not recorded")) << "\n";
  md << "  - How: " << how << (to && from ? "" : "; one of them is not recorded") << ".\n";
}

/// A link destination in angle brackets: only '<', '>' and line breaks could end it.
std::string link_destination(std::string_view link) {
  std::string out;
  for (const char c : link) {
    if (c == '<') {
      out += "%3C";
    } else if (c == '>') {
      out += "%3E";
    } else if (static_cast<unsigned char>(c) >= 0x20) {
      out += c;
    }
  }
  return out;
}

}  // namespace

void times_section(std::ostringstream& md, const IncidentTimes& t, UnixMillis now_ms) {
  const auto at = [](std::optional<UnixMillis> ms) {
    return ms ? format_utc(*ms) : std::string("not recorded");
  };
  md << "| Moment | Time (UTC) | How it was found |\n";
  md << "|--------|------------|------------------|\n";
  md << "| Started (impact) | " << format_utc(t.started_ms) << " | "
     << (t.started_from_sli
             ? "the first bad minute of the SLI before the first alert's startsAt (" +
                   format_utc(t.alert_start_ms) + ")"
             : std::string("the first alert's startsAt: the SLI gave no earlier bad minute, or "
                           "was not queried"))
     << " |\n";
  md << "| Detected | " << format_utc(t.detected_ms)
     << " | the first notification mock-slack received |\n";
  md << "| Acknowledged | " << at(t.acknowledged_ms) << " | the first `acknowledged` event"
     << by(t.acknowledged_by) << " |\n";
  md << "| Mitigated | " << at(t.mitigated_ms) << " | the first `mitigated` event"
     << by(t.mitigated_by) << " |\n";
  md << "| Resolved | "
     << (t.resolved_ms ? format_utc(*t.resolved_ms) : "not yet (" + format_utc(now_ms) + ")")
     << " | "
     << (!t.resolved_ms ? std::string("still firing, no `resolved` event")
         : t.resolved_by.empty()
             ? std::string("all alerts resolved")
             : "a `resolved` event" + by(t.resolved_by) + " (not voided by a `reopened` one)")
     << " |\n\n";
  duration_figure(md, "Time to detect (TTD)", t.detected_ms, t.started_ms, "detected - started");
  duration_figure(md, "Time to acknowledge (TTA)", t.acknowledged_ms, t.detected_ms,
                  "acknowledged - detected");
  duration_figure(md, "Time to mitigate (TTM)", t.mitigated_ms, t.started_ms,
                  "mitigated - started");
  duration_figure(md, "Time to resolve (TTR)", t.resolved_ms, t.started_ms, "resolved - started");
}

void budget_section(std::ostringstream& md, const std::optional<IncidentSli>& sli,
                    const IncidentTimes& times, UnixMillis now_ms, std::string_view chart_link) {
  if (!sli) {
    md << "- **Impact window and error budget:** not available: no Prometheus was configured for "
          "this draft (`--prometheus-url`), so the SLI was not queried and there is no chart.\n";
    return;
  }
  const std::string prom = code_span(sli->prometheus_url, false);
  if (!sli->error.empty()) {
    md << "- **Impact window and error budget:** not available: Prometheus at " << prom
       << " did not answer (" << markdown_escape(sli->error)
       << "), so the SLI chart was not drawn and the start of impact is the first alert's.\n";
    return;
  }
  const std::string end = sli->impact_end_ms == times.resolved_ms.value_or(-1)
                              ? "the resolution"
                              : "the draft (still firing at " + format_utc(now_ms) + ")";
  md << "- **Impact window (UTC):** " << format_utc(sli->impact_start_ms) << " to "
     << format_utc(sli->impact_end_ms) << " ("
     << format_duration(sli->impact_end_ms - sli->impact_start_ms) << ")\n";
  md << "  - How: from "
     << (sli->impact_from_sli
             ? "the first bad minute (the first of the contiguous " +
                   format_duration(sli->options.impact_step.count() * 1000) +
                   " steps up to the alert whose error ratio exceeded 1 - "
                   "objective, in the " +
                   format_duration(
                       sli->options.lookback.value_or(sli->options.period / 120).count() * 1000) +
                   " before it)"
             : std::string("the first alert's startsAt (no bad minute before it)"))
     << " to " << end << ".\n";
  if (sli->slos.empty()) {
    md << "- **Error budget:** Prometheus at " << prom
       << " has no SLO recording rules (`slo:sli_error:ratio_rate5m`) for these services.\n";
    return;
  }
  const std::string period = markdown_escape(sli->options.period_label);
  md << "- **Error budget consumed** (Prometheus at " << prom << ", " << period
     << " SLO period):\n\n";
  md << "| Service | SLO | Objective | Failed / total requests in the impact window | "
        "Peak burn rate | Budget consumed |\n";
  md << "|---------|-----|-----------|------|----------------|-----------------|\n";
  for (const SloSli& s : sli->slos) {
    md << "| " << markdown_escape(s.service) << " | " << markdown_escape(s.slo) << " | "
       << percent(s.objective, s.objective > 0.99 ? 2 : 1) << " | " << count(s.errors) << " / "
       << count(s.requests) << " | " << format_fixed(s.peak_burn_rate(), 2) << "x | "
       << percent(s.budget_consumed_ratio(sli->options.period), 3) << " of the " << period
       << " budget |\n";
  }
  md << "\n";
  for (const SloSli& s : sli->slos) {
    md << "  - How (" << markdown_escape(s.service) << " " << markdown_escape(s.slo)
       << "): request-weighted, " << count(s.errors) << " failed requests (increase() of the "
       << "error counter over the impact window) / (" << format_fixed(1.0 - s.objective, 4) << " x "
       << count(s.period_requests(sli->options.period)) << " requests in " << period << ", the "
       << count(s.period_requests_held) << " requests Prometheus holds over "
       << format_duration(static_cast<UnixMillis>(s.held_seconds * 1000.0))
       << " of the period scaled to " << period << "); peak burn rate: the highest "
       << "slo:sli\\_error:ratio\\_rate5m / (1 - objective) on the chart.\n";
  }
  if (!chart_link.empty()) {
    md << "- **SLI chart:** ![SLI over incident: burn rate against the page thresholds]("
       << "<" << link_destination(chart_link) << ">)\n";
    md << "  - How: slo:sli\\_error:ratio\\_rate5m from Prometheus `query_range`, drawn by "
          "mock-slack, marks at the break, detection, acknowledgement, mitigation and "
          "resolution.\n";
  }
}

void drill_section(std::ostringstream& md, const IncidentView& incident) {
  for (const IncidentEventView& e : incident.events) {
    if (e.kind != "drill" || !e.details.is_object()) continue;
    const auto m = e.details.find("measurements");
    if (m == e.details.end() || !m->is_array() || m->empty()) continue;
    const auto text = [&](const char* key) {
      const auto it = e.details.find(key);
      return it != e.details.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const auto secs = [](const nlohmann::json& row, const char* key) {
      const auto it = row.find(key);
      return it != row.end() && it->is_number() ? format_fixed(it->get<double>(), 1) + " s"
                                                : std::string("-");
    };
    md << "**Drill** " << code_span(text("scenario"), false) << " at " << format_utc(e.at_ms)
       << (text("result").empty() ? "" : ": " + markdown_escape(text("result"))) << ".\n\n";
    md << "| Figure | Measured | Expected | Tolerance |\n";
    md << "|--------|----------|----------|-----------|\n";
    for (const nlohmann::json& row : *m) {
      if (!row.is_object()) continue;
      const auto what = row.find("what");
      md << "| "
         << markdown_escape(what != row.end() && what->is_string() ? what->get<std::string>() : "?")
         << " | " << secs(row, "measured_seconds") << " | " << secs(row, "expected_seconds")
         << " | " << secs(row, "low_seconds") << " to " << secs(row, "high_seconds") << " |\n";
    }
    md << "\n- How: measured by the drill (scripts/drill.py) and posted as a `drill` event by "
       << markdown_escape(e.author) << "; expected from the pipeline's settings.\n\n";
  }
}

}  // namespace mock_slack::ui::detail
