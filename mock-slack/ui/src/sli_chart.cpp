// The incident's SLI chart, SVG (mock_slack_ui/sli_chart.hpp; tests/sli_chart_test.cpp).
#include "mock_slack_ui/sli_chart.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "firedrill/html_escape.hpp"
#include "text.hpp"

namespace mock_slack::ui {
namespace {

/// Length of the valid UTF-8 sequence at `i`, or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  // Overlong 3/4-byte forms, surrogates and code points past U+10FFFF.
  if (c == 0xE0 && b(i + 1) < 0xA0) return 0;
  if (c == 0xED && b(i + 1) >= 0xA0) return 0;
  if (c == 0xF0 && b(i + 1) < 0x90) return 0;
  if (c == 0xF4 && b(i + 1) >= 0x90) return 0;
  return n;
}

std::string num(double v) { return detail::format_fixed(v, 1); }

/// "22:05:00" or, for the first tick, "2026-11-21 22:05:00Z".
std::string tick_label(UnixMillis ms, bool with_date) {
  const std::string full = detail::format_utc(ms);
  return with_date ? full : full.substr(11, 8);
}

std::string percent_label(double ratio) {
  const double p = ratio * 100.0;
  return detail::format_fixed(p, p < 1 ? 3 : (p < 10 ? 2 : 1)) + "%";
}

struct Mark {
  UnixMillis at_ms;
  const char* name;
  const char* colour;
};

void panel(std::ostringstream& svg, const IncidentSli& sli, const SloSli& s,
           const std::vector<Mark>& marks, double top) {
  const double plot_top = top + kSliPlotTop;
  const double plot_bottom = top + kSliPlotBottom;
  const double allowed = 1.0 - s.objective;
  double highest_threshold = 1.0;
  for (const double t : s.page_burn_rates) highest_threshold = std::max(highest_threshold, t);
  const double peak = s.peak_burn_rate();
  // A burn far above the thresholds (an outage burns at 1000x) would flatten them onto the
  // axis: then the axis is logarithmic, from 0.1x, so the thresholds stay apart and readable.
  const bool log_scale = peak > kSliLogScaleAbove * highest_threshold;
  const double y_max = std::max(highest_threshold, peak) * 1.15;
  const double log_min = std::log10(kSliLogScaleMin);
  const double log_span = std::log10(y_max) - log_min;
  const auto y_of = [&](double burn) {
    const double f = log_scale ? (std::log10(std::max(burn, kSliLogScaleMin)) - log_min) / log_span
                               : std::min(burn, y_max) / y_max;
    return plot_bottom - std::clamp(f, 0.0, 1.0) * (plot_bottom - plot_top);
  };

  svg << "<g class=\"panel\" data-service=\"" << xml_escape(s.service) << "\" data-slo=\""
      << xml_escape(s.slo) << "\">\n";
  svg << "<text x=\"" << num(kSliPlotLeft) << "\" y=\"" << num(top + 20)
      << "\" font-size=\"14\" font-weight=\"bold\">" << xml_escape(s.service) << " "
      << xml_escape(s.slo) << " (objective " << xml_escape(percent_label(s.objective))
      << "): burn rate of the 5m error ratio" << (log_scale ? " (log scale)" : "") << "</text>\n";
  svg << "<rect x=\"" << num(kSliPlotLeft) << "\" y=\"" << num(plot_top) << "\" width=\""
      << num(kSliPlotRight - kSliPlotLeft) << "\" height=\"" << num(plot_bottom - plot_top)
      << "\" fill=\"#fafafa\" stroke=\"#999\"/>\n";

  // Axes: burn rate on the left, the error ratio it stands for on the right.
  std::vector<double> ticks;
  if (log_scale) {
    for (double t = kSliLogScaleMin; t <= y_max; t *= 10) ticks.push_back(t);
  } else {
    for (int i = 0; i <= 4; ++i) ticks.push_back(y_max * i / 4.0);
  }
  for (const double burn : ticks) {
    const double y = y_of(burn);
    svg << "<line x1=\"" << num(kSliPlotLeft) << "\" y1=\"" << num(y) << "\" x2=\""
        << num(kSliPlotRight) << "\" y2=\"" << num(y) << "\" stroke=\"#e4e4e4\"/>\n";
    svg << "<text x=\"" << num(kSliPlotLeft - 6) << "\" y=\"" << num(y + 4)
        << "\" font-size=\"11\" text-anchor=\"end\">"
        << detail::format_fixed(burn, burn < 1 ? 1 : (log_scale ? 0 : 1)) << "x</text>\n";
    svg << "<text x=\"" << num(kSliPlotRight + 6) << "\" y=\"" << num(y + 4)
        << "\" font-size=\"11\">" << xml_escape(percent_label(burn * allowed)) << "</text>\n";
  }

  // The page alerts' thresholds.
  for (const double t : s.page_burn_rates) {
    const double y = y_of(t);
    svg << "<line class=\"threshold\" x1=\"" << num(kSliPlotLeft) << "\" y1=\"" << num(y)
        << "\" x2=\"" << num(kSliPlotRight) << "\" y2=\"" << num(y)
        << "\" stroke=\"#c62828\" stroke-dasharray=\"6 4\"/>\n";
    svg << "<text x=\"" << num(kSliPlotRight - 4) << "\" y=\"" << num(y - 4)
        << "\" font-size=\"11\" text-anchor=\"end\" fill=\"#c62828\">page at "
        << detail::format_fixed(t, 1) << "x</text>\n";
  }

  // The series, broken where Prometheus has no point.
  const UnixMillis gap_ms = std::max<UnixMillis>(2000, (sli.chart_to_ms - sli.chart_from_ms) / 150);
  std::string points;
  UnixMillis last_ms = 0;
  const auto flush = [&] {
    if (!points.empty()) {
      svg << "<polyline class=\"sli\" fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" "
             "points=\""
          << points << "\"/>\n";
    }
    points.clear();
  };
  for (const auto& [t, ratio] : s.error_ratio) {
    if (!std::isfinite(ratio) || t < sli.chart_from_ms || t > sli.chart_to_ms) {
      flush();
      continue;
    }
    if (!points.empty() && t - last_ms > gap_ms) flush();
    if (!points.empty()) points += ' ';
    points += num(sli_chart_x(sli, t)) + "," + num(y_of(allowed > 0 ? ratio / allowed : 0));
    last_ms = t;
  }
  flush();
  if (s.error_ratio.empty()) {
    svg << "<text x=\"" << num((kSliPlotLeft + kSliPlotRight) / 2) << "\" y=\""
        << num((plot_top + plot_bottom) / 2)
        << "\" font-size=\"13\" text-anchor=\"middle\">Prometheus has no "
           "slo:sli_error:ratio_rate5m points in this range</text>\n";
  }

  // The marks, labels staggered so that close ones stay readable.
  int row = 0;
  for (const Mark& m : marks) {
    if (m.at_ms < sli.chart_from_ms || m.at_ms > sli.chart_to_ms) continue;
    const double x = sli_chart_x(sli, m.at_ms);
    svg << "<line class=\"mark mark-" << m.name << "\" x1=\"" << num(x) << "\" y1=\""
        << num(plot_top) << "\" x2=\"" << num(x) << "\" y2=\"" << num(plot_bottom) << "\" stroke=\""
        << m.colour << "\" stroke-width=\"1.5\"/>\n";
    svg << "<text x=\"" << num(x + 3) << "\" y=\"" << num(plot_top - 4 - 11 * (row % 2))
        << "\" font-size=\"11\" fill=\"" << m.colour << "\">" << m.name << "</text>\n";
    ++row;
  }

  // Time axis.
  for (int i = 0; i <= 4; ++i) {
    const UnixMillis t = sli.chart_from_ms + (sli.chart_to_ms - sli.chart_from_ms) * i / 4;
    svg << "<text x=\"" << num(sli_chart_x(sli, t)) << "\" y=\"" << num(plot_bottom + 16)
        << "\" font-size=\"11\" text-anchor=\"" << (i == 0 ? "start" : (i == 4 ? "end" : "middle"))
        << "\">" << xml_escape(tick_label(t, i == 0)) << "</text>\n";
  }
  svg << "</g>\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence(text, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    // A control character (XML 1.0 allows none but tab, newline and carriage return, and a chart
    // label wants none) is a space; the markup characters are escaped as the pages escape them.
    if (c < 0x20 || c == 0x7f) {
      out += ' ';
    } else {
      firedrill::http::append_html_escaped(out, text.substr(i, 1));
    }
    ++i;
  }
  return out;
}

double sli_chart_x(const IncidentSli& sli, UnixMillis at_ms) {
  const double span =
      static_cast<double>(std::max<UnixMillis>(1, sli.chart_to_ms - sli.chart_from_ms));
  const double f = static_cast<double>(at_ms - sli.chart_from_ms) / span;
  return kSliPlotLeft + std::clamp(f, 0.0, 1.0) * (kSliPlotRight - kSliPlotLeft);
}

std::string render_sli_chart(const IncidentSli& sli, const IncidentTimes& times,
                             std::int64_t incident_id) {
  std::vector<Mark> marks{{times.started_ms, "break", "#6a1b9a"},
                          {times.detected_ms, "detect", "#ef6c00"}};
  if (times.acknowledged_ms) marks.push_back({*times.acknowledged_ms, "ack", "#00838f"});
  if (times.mitigated_ms) marks.push_back({*times.mitigated_ms, "mitigate", "#2e7d32"});
  if (times.resolved_ms) marks.push_back({*times.resolved_ms, "resolve", "#424242"});
  std::stable_sort(marks.begin(), marks.end(),
                   [](const Mark& a, const Mark& b) { return a.at_ms < b.at_ms; });

  const std::size_t panels = std::max<std::size_t>(1, sli.slos.size());
  const double height = 24.0 + kSliPanelHeight * static_cast<double>(panels);
  const std::string title = "Incident #" + std::to_string(incident_id) + ": SLI from " +
                            detail::format_utc(sli.chart_from_ms) + " to " +
                            detail::format_utc(sli.chart_to_ms);
  std::ostringstream svg;
  svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(kSliChartWidth)
      << "\" height=\"" << num(height) << "\" viewBox=\"0 0 " << num(kSliChartWidth) << " "
      << num(height) << "\" font-family=\"sans-serif\" role=\"img\">\n";
  svg << "<title>" << xml_escape(title) << "</title>\n";
  svg << "<desc>Burn rate of each SLO's 5m error ratio (slo:sli_error:ratio_rate5m over 1 - "
         "objective) from Prometheus at "
      << xml_escape(sli.prometheus_url)
      << ", against the page alerts' thresholds; marks at the break (impact start), detection, "
         "acknowledgement, mitigation and resolution.</desc>\n";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  if (sli.slos.empty()) {
    svg << "<text x=\"" << num(kSliChartWidth / 2) << "\" y=\"" << num(height / 2)
        << "\" font-size=\"14\" text-anchor=\"middle\">Prometheus at "
        << xml_escape(sli.prometheus_url)
        << " has no SLO recording rules for this incident's services</text>\n";
  }
  double top = 0;
  for (const SloSli& s : sli.slos) {
    panel(svg, sli, s, marks, top);
    top += kSliPanelHeight;
  }
  svg << "<text x=\"" << num(kSliPlotLeft) << "\" y=\"" << num(height - 8)
      << "\" font-size=\"11\" fill=\"#555\">" << xml_escape(title) << "; impact "
      << xml_escape(detail::format_utc(sli.impact_start_ms)) << " to "
      << xml_escape(detail::format_utc(sli.impact_end_ms)) << "</text>\n";
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace mock_slack::ui
