#pragma once
// Seeded view models shared by the tests, and a checker that no markup from data got through.

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "mock_slack_ui/sli.hpp"
#include "mock_slack_ui/view.hpp"

namespace mock_slack::ui::testing {

/// 2026-11-21T22:00:00Z.
inline constexpr UnixMillis kT0 = 1'795'298'400'000;
inline constexpr UnixMillis kMinute = 60'000;

/// A resolved two-alert incident on portal: PortalAvailabilityBudgetBurn on two instances.
inline IncidentView seeded_incident() {
  IncidentView inc;
  inc.id = 42;
  inc.group_key = "{}:{alertname=\"PortalAvailabilityBudgetBurn\"}";
  inc.status = AlertStatus::resolved;
  inc.resolved_at_ms = kT0 + 35 * kMinute;
  inc.external_url = "http://127.0.0.1:9093";
  for (int i = 0; i < 2; ++i) {
    OccurrenceView o;
    o.fingerprint = i == 0 ? "a1b2c3d4e5f60718" : "0f1e2d3c4b5a6978";
    o.alertname = "PortalAvailabilityBudgetBurn";
    o.status = AlertStatus::resolved;
    o.severity = "page";
    const std::string instance = i == 0 ? "10.0.0.1:8080" : "10.0.0.2:8080";
    o.labels = {{"alertname", o.alertname},
                {"instance", instance},
                {"service", "portal"},
                {"severity", "page"},
                {"slo", "availability"}};
    o.annotations = {
        {"summary", "portal is burning its availability budget 14x too fast"},
        {"description", "5xx ratio over 1h and 5m | above 14.4x the sustainable rate"},
        {"runbook_url", "http://127.0.0.1:8090/runbooks/PortalAvailabilityBudgetBurn"}};
    o.starts_at_ms = kT0 + i * 2 * kMinute;
    o.ends_at_ms = kT0 + (30 + i * 5) * kMinute;
    o.first_notified_at_ms = kT0 + 1 * kMinute + i * 2 * kMinute;
    o.last_notified_at_ms = *o.ends_at_ms + 10'000;
    o.times_notified = 3 + i;
    o.generator_url = "http://127.0.0.1:9090/graph?g0.expr=slo%3Aburn_rate%3Aratio_rate5m&g0.tab=1";
    o.incident_id = inc.id;
    inc.occurrences.push_back(o);
  }
  const auto notify = [&inc](UnixMillis at, AlertStatus status) {
    NotificationView n;
    n.received_at_ms = at;
    n.receiver = "sre-pager";
    n.status = status;
    n.group_key = inc.group_key;
    inc.notifications.push_back(n);
  };
  // Deliberately out of order: the renderers sort.
  notify(kT0 + 35 * kMinute + 10'000, AlertStatus::resolved);
  notify(kT0 + 1 * kMinute, AlertStatus::firing);
  notify(kT0 + 3 * kMinute, AlertStatus::firing);
  notify(kT0 + 30 * kMinute + 10'000, AlertStatus::firing);
  return inc;
}

/// An SLI over seeded_incident() as fetch_incident_sli() gives it, without its SLOs: impact from
/// 21:57 (3 bad minutes before the alert) to the resolution at 22:35, charted 21:53 to 22:39.
inline IncidentSli seeded_sli_window() {
  IncidentSli sli;
  sli.prometheus_url = "http://127.0.0.1:9090";
  sli.alert_start_ms = kT0;
  sli.impact_start_ms = kT0 - 3 * kMinute;
  sli.impact_end_ms = kT0 + 35 * kMinute;
  sli.impact_from_sli = true;
  sli.chart_from_ms = kT0 - 7 * kMinute;
  sli.chart_to_ms = kT0 + 39 * kMinute;
  return sli;
}

/// The portal's availability SLO (99.9%) with the page burn rates of the generated rules, no
/// series yet.
inline SloSli portal_availability_slo() {
  SloSli s;
  s.service = "portal";
  s.slo = "availability";
  s.objective = 0.999;
  s.page_burn_rates = {14.4, 6};
  return s;
}

/// Values an attacker controls through alert rules, labels or Slack payloads.
inline const std::vector<std::string>& hostile_values() {
  static const std::vector<std::string> values{
      "<script>alert(1)</script>",
      "\"><img src=x onerror=alert(1)>",
      "'><svg onload=alert(1)>",
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "java\tscript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "</pre></textarea><script>alert(1)</script>",
      "{{bad}} {{{worse}}}",
  };
  return values;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// Decodes the few entities our escaping produces, for checking attribute values.
inline std::string decode_entities(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '&') {
      for (const auto& [entity, ch] : std::vector<std::pair<std::string, char>>{
               {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}}) {
        if (s.compare(i, entity.size(), entity) == 0) {
          out += ch;
          i += entity.size() - 1;
          goto next;
        }
      }
    }
    out += s[i];
  next:;
  }
  return out;
}

struct Attribute {
  std::string tag;
  std::string name;
  std::string value;  // entity-decoded
};

/// Every attribute of every tag in `html`, parsed the way a browser tokenizes start tags (quoted
/// and unquoted values), so an attribute smuggled in by a breakout shows up as its own attribute.
inline std::vector<Attribute> attributes(const std::string& html) {
  std::vector<Attribute> out;
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string::npos) {
    ++i;
    if (i >= html.size() || !std::isalpha(static_cast<unsigned char>(html[i]))) continue;
    std::size_t j = i;
    while (j < html.size() && !std::isspace(static_cast<unsigned char>(html[j])) &&
           html[j] != '>' && html[j] != '/') {
      ++j;
    }
    const std::string tag = lower(html.substr(i, j - i));
    while (j < html.size() && html[j] != '>') {
      while (j < html.size() &&
             (std::isspace(static_cast<unsigned char>(html[j])) || html[j] == '/')) {
        ++j;
      }
      if (j >= html.size() || html[j] == '>') break;
      std::size_t k = j;
      while (k < html.size() && !std::isspace(static_cast<unsigned char>(html[k])) &&
             html[k] != '=' && html[k] != '>' && html[k] != '/') {
        ++k;
      }
      Attribute a{tag, lower(html.substr(j, k - j)), ""};
      j = k;
      if (j < html.size() && html[j] == '=') {
        ++j;
        if (j < html.size() && (html[j] == '"' || html[j] == '\'')) {
          const char quote = html[j];
          const std::size_t end = html.find(quote, j + 1);
          a.value = decode_entities(html.substr(j + 1, end - j - 1));
          j = end == std::string::npos ? html.size() : end + 1;
        } else {
          std::size_t end = j;
          while (end < html.size() && !std::isspace(static_cast<unsigned char>(html[end])) &&
                 html[end] != '>') {
            ++end;
          }
          a.value = decode_entities(html.substr(j, end - j));
          j = end;
        }
      }
      out.push_back(a);
    }
    i = j;
  }
  return out;
}

/// What a URL attribute may hold on our pages: our own paths, fragments, http(s), or a mailto:
/// address (links in Slack messages).
inline bool allowed_url(const std::string& value) {
  const std::string v = lower(value);
  if (v.rfind("http://", 0) == 0 || v.rfind("https://", 0) == 0) return true;
  if (v.rfind("mailto:", 0) == 0) return true;
  if (v.rfind("//", 0) == 0) return false;
  return v.rfind('/', 0) == 0 || v.rfind('#', 0) == 0 || v.rfind('?', 0) == 0 ||
         v.rfind("url(#", 0) == 0;
}

/// Empty when nothing from data reached the page as markup; otherwise what did.
inline std::vector<std::string> injection_findings(const std::string& html) {
  std::vector<std::string> findings;
  const std::string l = lower(html);
  for (const char* needle :
       {"<script", "<img", "<iframe", "<object", "<embed", "<svg onload", "<textarea"}) {
    if (l.find(needle) != std::string::npos) findings.push_back(std::string("tag ") + needle);
  }
  for (const Attribute& a : attributes(html)) {
    if (a.name.rfind("on", 0) == 0) findings.push_back("event handler " + a.name + " on " + a.tag);
    if (a.name == "style") findings.push_back("inline style on " + a.tag);
    if ((a.name == "href" || a.name == "src" || a.name == "action" || a.name == "xlink:href" ||
         a.name == "formaction") &&
        !allowed_url(a.value)) {
      findings.push_back(a.tag + " " + a.name + "=" + a.value);
    }
    if (a.name == "fill" && !(a.value.rfind("#", 0) == 0 || a.value == "url(#firing-hatch)")) {
      findings.push_back("fill=" + a.value);
    }
    if (a.name.find('"') != std::string::npos || a.name.find('\'') != std::string::npos ||
        a.name.find('<') != std::string::npos) {
      findings.push_back("broken attribute name " + a.name + " on " + a.tag);
    }
  }
  return findings;
}

}  // namespace mock_slack::ui::testing
