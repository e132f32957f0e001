// `/channels` and `/channels/{name}`: render_channels() and render_channel(), with Slack's
// attachments and Block Kit blocks as Slack lays them out, and slack_color()
// (tests/channel_page_test.cpp).
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mock_slack_ui/html.hpp"
#include "mock_slack_ui/mrkdwn.hpp"
#include "page_layout.hpp"
#include "text.hpp"

namespace mock_slack::ui {

using namespace detail;  // the pages' shared parts (page_layout.hpp)

namespace {

/// A Block Kit text object (`mrkdwn` or `plain_text`) as HTML from mrkdwn.hpp; empty for
/// anything else.
std::string text_object_html(const nlohmann::json& object) {
  if (!object.is_object()) return {};
  const auto text = object.find("text");
  const auto type = object.find("type");
  if (text == object.end() || !text->is_string() || type == object.end()) return {};
  if (*type == "mrkdwn") return mrkdwn_to_html(text->get_ref<const std::string&>());
  if (*type == "plain_text") {
    const auto emoji = object.find("emoji");
    const bool shortcodes = emoji == object.end() || !emoji->is_boolean() || emoji->get<bool>();
    return slack_plain_to_html(text->get_ref<const std::string&>(), shortcodes);
  }
  return {};
}

const nlohmann::json* array_member(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_array() ? &*it : nullptr;
}

/// Block Kit blocks as Slack lays them out: header, section (text and a two-column grid of
/// fields), context (small text and image descriptions), divider. Other block types are named,
/// and the raw JSON is on the page as well. Every *_html value comes from mrkdwn.hpp.
void add_blocks(mus::data& message, const std::string& blocks_json) {
  const auto blocks = nlohmann::json::parse(blocks_json, nullptr, false);
  if (blocks.is_discarded() || !blocks.is_array()) return;
  mus::data& list = add_list(message, "blocks", blocks.size());
  for (const auto& block : blocks) {
    if (!block.is_object()) continue;
    const auto type_it = block.find("type");
    const std::string type =
        type_it != block.end() && type_it->is_string() ? type_it->get<std::string>() : "";
    mus::data& b = append_object(list);
    if (type == "header") {
      b.set("is_header", true);
      if (const auto text = block.find("text"); text != block.end()) {
        set_if(b, "header_html", text_object_html(*text));
      }
    } else if (type == "section") {
      b.set("is_section", true);
      if (const auto text = block.find("text"); text != block.end()) {
        set_if(b, "section_text_html", text_object_html(*text));
      }
      const nlohmann::json* fields = array_member(block, "fields");
      mus::data& field_list = add_list(b, "section_fields", fields ? fields->size() : 0);
      bool any_field = false;
      if (fields) {
        for (const auto& field : *fields) {
          std::string html = text_object_html(field);
          if (html.empty()) continue;
          append_object(field_list).set("section_field_html", html);
          any_field = true;
        }
      }
      b.set("has_section_fields", any_field);
    } else if (type == "context") {
      b.set("is_context", true);
      const nlohmann::json* elements = array_member(block, "elements");
      mus::data& element_list = add_list(b, "context_elements", elements ? elements->size() : 0);
      if (!elements) continue;
      for (const auto& element : *elements) {
        std::string html = text_object_html(element);
        if (html.empty() && element.is_object() && element.contains("type") &&
            element["type"] == "image") {
          // Images are not loaded (the CSP allows none from elsewhere): their description.
          const auto alt = element.find("alt_text");
          html = "[" +
                 slack_plain_to_html(alt != element.end() && alt->is_string()
                                         ? alt->get_ref<const std::string&>()
                                         : std::string("image")) +
                 "]";
        }
        if (!html.empty()) append_object(element_list).set("context_element_html", html);
      }
    } else if (type == "divider") {
      b.set("is_divider", true);
    } else {
      b.set("other_type", type.empty() ? std::string("untyped") : type);
    }
  }
}

bool mrkdwn_in(const SlackAttachment& a, std::string_view field) {
  return std::find(a.mrkdwn_in.begin(), a.mrkdwn_in.end(), field) != a.mrkdwn_in.end();
}

/// An attachment's text as HTML: mrkdwn when `mrkdwn_in` lists `field`, plain text otherwise.
std::string attachment_html(const SlackAttachment& a, std::string_view field,
                            const std::string& text) {
  return mrkdwn_in(a, field) ? mrkdwn_to_html(text) : slack_plain_to_html(text);
}

}  // namespace

std::string slack_color(std::string_view color) {
  if (color == "good") return "#2eb886";
  if (color == "warning") return "#daa038";
  if (color == "danger") return "#a30200";
  if (color.size() != 7 || color[0] != '#') return {};
  std::string out = "#";
  for (std::size_t i = 1; i < 7; ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(color[i])));
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return {};
    out += c;
  }
  return out;
}

std::string render_channel(std::string_view name, const std::vector<SlackMessageView>& messages) {
  std::vector<const SlackMessageView*> sorted;
  sorted.reserve(messages.size());
  for (const SlackMessageView& m : messages) sorted.push_back(&m);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const SlackMessageView* a, const SlackMessageView* b) {
                     return a->received_at_ms > b->received_at_ms;
                   });
  mus::data d;
  mus::data& list = add_list(d, "messages", sorted.size());
  for (const SlackMessageView* m : sorted) {
    mus::data& md = append_object(list);
    md.set("msg_username", m->username.empty() ? std::string("incoming-webhook") : m->username);
    md.set("msg_received", detail::format_utc(m->received_at_ms));
    if (m->channel != name) set_if(md, "msg_channel", m->channel);
    // The *_html values are HTML from mrkdwn.hpp (escaped there) and are the only values the
    // channel template inserts unescaped; everything else goes through {{ }}.
    set_if(md, "msg_text_html", m->mrkdwn ? mrkdwn_to_html(m->text) : slack_plain_to_html(m->text));
    mus::data& attachments = add_list(md, "attachments", m->attachments.size());
    for (const SlackAttachment& a : m->attachments) {
      mus::data& ad = append_object(attachments);
      const std::string color = slack_color(a.color);
      ad.set("att_color", color.empty() ? std::string("#dddddd") : color);
      set_if(ad, "att_pretext_html", attachment_html(a, "pretext", a.pretext));
      set_if(ad, "att_title", slack_unescape(a.title));
      set_if(ad, "att_title_link", safe_url(a.title_link));
      set_if(ad, "att_text_html", attachment_html(a, "text", a.text));
      set_if(ad, "att_footer", slack_unescape(a.footer));
      mus::data& fields = add_list(ad, "att_fields", a.fields.size());
      for (const SlackField& f : a.fields) {
        mus::data& fd = append_object(fields);
        fd.set("field_title", slack_unescape(f.title));
        fd.set("field_value_html", attachment_html(a, "fields", f.value));
        fd.set("field_short", f.short_field);
      }
    }
    if (!m->blocks_json.empty()) add_blocks(md, m->blocks_json);
    set_if(md, "msg_blocks_json", m->blocks_json);
  }
  d.set("name", std::string(name));
  d.set("count", std::to_string(messages.size()));
  return layout("#" + std::string(name), 0, Page::channel, d);
}

std::string render_channels(const std::vector<ChannelSummary>& channels) {
  mus::data list{mus::data::type::list};
  for (const ChannelSummary& c : channels) {
    mus::data cd;
    cd.set("name", c.name);
    cd.set("href", "/channels/" + url_encode(c.name));
    cd.set("count", std::to_string(c.message_count));
    cd.set("has_last", c.last_message_at_ms.has_value());
    if (c.last_message_at_ms) cd.set("last", detail::format_utc(*c.last_message_at_ms));
    list.push_back(cd);
  }
  mus::data d;
  d.set("has_channels", !channels.empty());
  d.set("channels", list);
  return layout("Channels", 0, Page::channels, d);
}

}  // namespace mock_slack::ui
