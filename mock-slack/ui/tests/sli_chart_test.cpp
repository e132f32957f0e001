// render_sli_chart() and xml_escape() (src/sli_chart.cpp).
#include "mock_slack_ui/sli_chart.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <regex>

#include "fixtures.hpp"

using namespace mock_slack::ui;
using mock_slack::ui::testing::kMinute;
using mock_slack::ui::testing::kT0;
using mock_slack::ui::testing::seeded_incident;

namespace {

/// A strict check of what the chart uses of XML: one prolog, elements properly nested and
/// closed, attributes double-quoted, no '<' or '>' in attribute values or text, and '&' only in
/// the five predefined entities or a numeric reference. Returns the first problem, or "".
std::string xml_problem(const std::string& doc) {
  const std::string prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  if (doc.rfind(prolog, 0) != 0) return "no prolog";
  std::vector<std::string> open;
  const std::regex entity("^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);");
  const std::regex attr(R"(^\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*="[^"<>]*")");
  std::size_t i = prolog.size();
  while (i < doc.size()) {
    const char c = doc[i];
    if (c == '&') {
      std::smatch m;
      const std::string rest = doc.substr(i, 12);
      if (!std::regex_search(rest, m, entity)) return "bad entity at " + std::to_string(i);
      i += static_cast<std::size_t>(m.length(0));
    } else if (c == '>') {
      return "'>' in text at " + std::to_string(i);
    } else if (c == '<') {
      const bool closing = doc[i + 1] == '/';
      std::size_t j = i + (closing ? 2 : 1);
      std::size_t name_end = doc.find_first_of(" \t\n/>", j);
      if (name_end == std::string::npos) return "unterminated tag";
      const std::string name = doc.substr(j, name_end - j);
      if (name.empty()) return "empty tag name at " + std::to_string(i);
      j = name_end;
      if (closing) {
        if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
        open.pop_back();
        if (doc[j] != '>') return "bad closing tag " + name;
        i = j + 1;
        continue;
      }
      std::smatch m;
      std::string rest = doc.substr(j, doc.find('>', j) + 1 - j);
      std::size_t k = 0;
      while (true) {
        const std::string tail = rest.substr(k);
        if (!std::regex_search(tail, m, attr)) break;
        k += static_cast<std::size_t>(m.length(0));
      }
      const std::string end = rest.substr(k);
      if (end == "/>") {
        // self-closed
      } else if (end == ">") {
        open.push_back(name);
      } else {
        return "bad attributes in <" + name + ">: " + end;
      }
      i = j + rest.size();
    } else {
      ++i;
    }
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return {};
}

IncidentSli chart_sli() {
  IncidentSli sli = mock_slack::ui::testing::seeded_sli_window();
  SloSli s = mock_slack::ui::testing::portal_availability_slo();
  for (int m = -7; m <= 39; ++m) {
    const bool bad = m >= -3 && m < 30;
    s.error_ratio.emplace_back(kT0 + m * kMinute, bad ? 0.02 : 0.0);
  }
  sli.slos = {s};
  return sli;
}

double attr_of(const std::string& svg, const std::string& element_start, const char* name) {
  const std::size_t at = svg.find(element_start);
  if (at == std::string::npos) return NAN;
  const std::string key = std::string(" ") + name + "=\"";
  const std::size_t v = svg.find(key, at);
  return std::stod(svg.substr(v + key.size()));
}

}  // namespace

TEST_CASE("the SLI chart is well-formed SVG with the marks in place", "[sli_chart]") {
  IncidentView inc = seeded_incident();
  inc.events = {{kT0 + 4 * kMinute, "alice", "acknowledged", ""},
                {kT0 + 20 * kMinute, "alice", "mitigated", ""}};
  const IncidentSli sli = chart_sli();
  const IncidentTimes times = incident_times(inc, &sli);
  const std::string svg = render_sli_chart(sli, times, 42);
  INFO(svg);
  CHECK(xml_problem(svg).empty());
  CHECK(xml_problem(svg) == "");
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("<style") == std::string::npos);
  CHECK(svg.find("href") == std::string::npos);  // nothing external
  // Each mark at its time: the chart spans 21:53 to 22:39 over x 80..880.
  const auto x_at = [&](UnixMillis t) {
    return 80.0 + 800.0 * static_cast<double>(t - (kT0 - 7 * kMinute)) / (46.0 * kMinute);
  };
  CHECK(attr_of(svg, "class=\"mark mark-break\"", "x1") ==
        Approx(x_at(kT0 - 3 * kMinute)).margin(0.06));
  CHECK(attr_of(svg, "class=\"mark mark-detect\"", "x1") ==
        Approx(x_at(kT0 + kMinute)).margin(0.06));
  CHECK(attr_of(svg, "class=\"mark mark-ack\"", "x1") ==
        Approx(x_at(kT0 + 4 * kMinute)).margin(0.06));
  CHECK(attr_of(svg, "class=\"mark mark-mitigate\"", "x1") ==
        Approx(x_at(kT0 + 20 * kMinute)).margin(0.06));
  CHECK(attr_of(svg, "class=\"mark mark-resolve\"", "x1") ==
        Approx(x_at(kT0 + 35 * kMinute)).margin(0.06));
  CHECK(sli_chart_x(sli, kT0 - 3 * kMinute) == Approx(x_at(kT0 - 3 * kMinute)));
  // The thresholds: y_max = max(14.4, peak 20) x 1.15 = 23; the plot runs y 56..220.
  const double y14 = 220.0 - 14.4 / 23.0 * 164.0;
  CHECK(attr_of(svg, "class=\"threshold\"", "y1") == Approx(y14).margin(0.06));
  CHECK_THAT(svg, Catch::Contains(">page at 14.4x</text>"));
  CHECK_THAT(svg, Catch::Contains(">page at 6.0x</text>"));
  CHECK_THAT(svg, Catch::Contains("<polyline class=\"sli\""));
  CHECK_THAT(svg, Catch::Contains("portal availability (objective 99.9%)"));
}

TEST_CASE("a burn far above the thresholds gets a logarithmic axis", "[sli_chart]") {
  IncidentSli sli = chart_sli();
  for (auto& [t, ratio] : sli.slos[0].error_ratio) ratio = ratio > 0 ? 1.0 : 0.0;  // 1000x
  const std::string svg = render_sli_chart(sli, incident_times(seeded_incident(), &sli), 42);
  CHECK(xml_problem(svg) == "");
  CHECK_THAT(svg, Catch::Contains("burn rate of the 5m error ratio (log scale)"));
  // From 0.1x to 1150x (1000 x 1.15) over y 220..56: 14.4x and 6x stay 23 units apart.
  const double decades = std::log10(1150.0) - std::log10(0.1);
  const double y14 = 220.0 - (std::log10(14.4) + 1.0) / decades * 164.0;
  CHECK(attr_of(svg, "class=\"threshold\"", "y1") == Approx(y14).margin(0.06));
  for (const char* tick : {">0.1x<", ">1x<", ">10x<", ">100x<", ">1000x<"}) {
    CHECK_THAT(svg, Catch::Contains(tick));
  }
}

TEST_CASE("the SLI chart escapes every text and stays well-formed", "[sli_chart][security]") {
  IncidentSli sli = chart_sli();
  sli.prometheus_url = "http://p/?a=1&b=<2>";
  sli.slos[0].service = "</text><script>alert(1)</script>";
  sli.slos[0].slo = "a\"b' \x01\xff\xc3\xa9";  // a control character, invalid UTF-8, é
  const std::string svg = render_sli_chart(sli, incident_times(seeded_incident(), &sli), 42);
  CHECK(xml_problem(svg) == "");
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK_THAT(svg, Catch::Contains("&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK_THAT(svg, Catch::Contains("a&quot;b&#39;  \xEF\xBF\xBD\xc3\xa9"));
  CHECK_THAT(svg, Catch::Contains("http://p/?a=1&amp;b=&lt;2&gt;"));
  CHECK(xml_escape("\xe0\x80\xaf") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
}

TEST_CASE("the SLI chart without SLO series or points says so", "[sli_chart]") {
  IncidentSli sli = chart_sli();
  sli.slos[0].error_ratio.clear();
  std::string svg = render_sli_chart(sli, incident_times(seeded_incident(), &sli), 42);
  CHECK(xml_problem(svg) == "");
  CHECK_THAT(svg, Catch::Contains("Prometheus has no slo:sli_error:ratio_rate5m points"));
  sli.slos.clear();
  svg = render_sli_chart(sli, incident_times(seeded_incident(), &sli), 42);
  CHECK(xml_problem(svg) == "");
  CHECK_THAT(svg, Catch::Contains("has no SLO recording rules for this incident's services"));
}
