// The people's side of an incident and the incident page's Response section
// (incident_response.hpp; tests/incident_response_test.cpp).
#include "mock_slack_ui/incident_response.hpp"

#include <algorithm>
#include <string_view>

#include "page_layout.hpp"
#include "text.hpp"

namespace mock_slack::ui {

using namespace detail;  // the pages' shared parts (page_layout.hpp)

namespace {

void set_mark(mus::data& d, const char* key, const std::optional<ResponseMark>& mark) {
  if (!mark) return;
  mus::data m;
  m.set("author", mark->author);
  m.set("time", format_utc(mark->at_ms));
  d.set(key, m);
}

const char* button_of(std::string_view kind) {
  if (kind == "acknowledged") return "Acknowledge";
  if (kind == "note") return "Add note";
  if (kind == "mitigated") return "Mark mitigated";
  if (kind == "resolved") return "Resolve by hand";
  return "Reopen";
}

}  // namespace

IncidentResponse response_of(const std::vector<IncidentEventView>& events) {
  std::vector<const IncidentEventView*> ordered;
  ordered.reserve(events.size());
  for (const IncidentEventView& e : events) ordered.push_back(&e);
  std::stable_sort(
      ordered.begin(), ordered.end(),
      [](const IncidentEventView* a, const IncidentEventView* b) { return a->at_ms < b->at_ms; });
  IncidentResponse r;
  for (const IncidentEventView* e : ordered) {
    const ResponseMark mark{e->at_ms, e->author, e->text};
    if (e->kind == "acknowledged" && !r.acknowledged) r.acknowledged = mark;
    if (e->kind == "mitigated" && !r.mitigated) r.mitigated = mark;
    if (e->kind == "note") ++r.notes;
    if (e->kind == "resolved") {
      r.resolved = mark;
      r.reopened.reset();
    }
    if (e->kind == "reopened" && r.resolved) {
      r.reopened = mark;
      r.resolved.reset();
    }
  }
  return r;
}

std::string render_incident_response(const IncidentView& incident) {
  const IncidentResponse r = response_of(incident.events);
  mus::data d;
  set_mark(d, "acknowledged", r.acknowledged);
  set_mark(d, "mitigated", r.mitigated);
  set_mark(d, "resolved", r.resolved);
  set_mark(d, "reopened", r.reopened);
  d.set("notes", std::to_string(r.notes));
  const IncidentFormsView& f = incident.forms;
  d.set("offered", f.offered);
  d.set("why_not", f.why_not);
  if (!f.signin_url.empty()) d.set("signin_url", f.signin_url);
  d.set("user", f.user);
  // Resolve by hand while it is not, reopen once it is (by hand or by Alertmanager).
  const bool resolved =
      r.resolved.has_value() || (!r.reopened && incident.status == AlertStatus::resolved);
  mus::data& forms = add_list(d, "forms", std::size(kFormEventKinds));
  for (const char* kind : kFormEventKinds) {
    const std::string_view k = kind;
    if ((k == "resolved" && resolved) || (k == "reopened" && !resolved)) continue;
    mus::data& form = append_object(forms);
    form.set("kind", std::string(k));
    form.set("button", std::string(button_of(k)));
    form.set("is_note", k == "note");
    form.set("id", std::to_string(incident.id));
    form.set("csrf", f.csrf_token);
  }
  std::string out;
  render_into(out, Page::incident_response, d);
  return out;
}

}  // namespace mock_slack::ui
