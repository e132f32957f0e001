// The Slack message shown for an Alertmanager webhook notification, modelled on Alertmanager's
// default Slack notification template (template/default.tmpl: __subject, __alertmanagerURL).

#include <string>

#include "mock_slack_ui/html.hpp"

namespace mock_slack::ui {
namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string annotation(const OccurrenceView& alert, const std::string& name) {
  const auto it = alert.annotations.find(name);
  return it == alert.annotations.end() ? std::string() : it->second;
}

}  // namespace

SlackMessageView default_slack_message(const NotificationView& n) {
  SlackMessageView m;
  m.channel = n.receiver;
  m.received_at_ms = n.received_at_ms;
  m.username = "Alertmanager";

  std::size_t firing = 0;
  for (const OccurrenceView& a : n.alerts) {
    if (a.status == AlertStatus::firing) ++firing;
  }
  // [FIRING:2] <group label values> (<common label values not in the group labels>)
  std::string title = "[" + upper(to_string(n.status));
  if (n.status == AlertStatus::firing) title += ":" + std::to_string(firing);
  title += "]";
  for (const auto& [name, value] : n.group_labels) title += " " + value;
  if (n.common_labels.size() > n.group_labels.size()) {
    std::string rest;
    for (const auto& [name, value] : n.common_labels) {
      if (n.group_labels.count(name) != 0) continue;
      if (!rest.empty()) rest += ' ';
      rest += value;
    }
    if (!rest.empty()) title += " (" + rest + ")";
  }

  SlackAttachment attachment;
  attachment.color = n.status == AlertStatus::firing ? "danger" : "good";
  attachment.title = title;
  if (!n.external_url.empty()) {
    std::string base = n.external_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    attachment.title_link = base + "/#/alerts?receiver=" + url_encode(n.receiver);
  }
  std::string text;
  for (const OccurrenceView& a : n.alerts) {
    if (!text.empty()) text += '\n';
    text += "[" + std::string(to_string(a.status)) + "] " + a.alertname;
    std::string summary = annotation(a, "summary");
    if (summary.empty()) summary = annotation(a, "description");
    if (!summary.empty()) text += ": " + summary;
    if (const auto it = a.labels.find("instance"); it != a.labels.end()) {
      text += " (" + it->second + ")";
    }
  }
  if (n.truncated_alerts > 0) {
    if (!text.empty()) text += '\n';
    text +=
        "… and " + std::to_string(n.truncated_alerts) + " more alerts truncated by Alertmanager";
  }
  attachment.text = text;
  // Alertmanager's slack_configs default: mrkdwn_in [fallback, pretext, text].
  attachment.mrkdwn_in = {"fallback", "pretext", "text"};
  if (!n.common_labels.empty() || !n.group_labels.empty()) {
    const LabelMap& labels = n.common_labels.empty() ? n.group_labels : n.common_labels;
    for (const char* name : {"severity", "service"}) {
      if (const auto it = labels.find(name); it != labels.end()) {
        attachment.fields.push_back({name, it->second, true});
      }
    }
  }
  attachment.footer = "group " + n.group_key;
  m.attachments.push_back(std::move(attachment));
  return m;
}

}  // namespace mock_slack::ui
