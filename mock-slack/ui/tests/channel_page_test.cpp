// render_channel(), render_channels() and slack_color() (src/channel_page.cpp).
#include <catch2/catch.hpp>
#include <string>

#include "fixtures.hpp"
#include "mock_slack_ui/html.hpp"

using namespace mock_slack::ui;
using namespace mock_slack::ui::testing;

TEST_CASE("Slack attachment colours", "[slack]") {
  CHECK(slack_color("good") == "#2eb886");
  CHECK(slack_color("warning") == "#daa038");
  CHECK(slack_color("danger") == "#a30200");
  CHECK(slack_color("#FF00aa") == "#ff00aa");
  for (const char* bad : {"", "red", "#fff", "#ff00zz", "#ff00aa;", "#ff00aa\" onload=\"x",
                          "url(javascript:x)", "Good"}) {
    INFO(bad);
    CHECK(slack_color(bad).empty());
  }
}

TEST_CASE("channel page: newest first, title links only for http(s), blocks shown", "[slack]") {
  SlackMessageView older;
  older.channel = "#alerts";
  older.received_at_ms = kT0;
  older.text = "older message";
  SlackMessageView newer = older;
  newer.received_at_ms = kT0 + kMinute;
  newer.text = "newer message";
  SlackAttachment a;
  a.title = "no link here";
  a.title_link = "javascript:alert(1)";
  newer.attachments.push_back(a);
  newer.blocks_json = R"x([{"type":"header","text":{"type":"plain_text","text":"Block header"}},
    {"type":"section","fields":[{"type":"mrkdwn","text":"*field*"}]}])x";
  const std::string html = render_channel("alerts", {older, newer});
  const auto pos_new = html.find("newer message");
  const auto pos_old = html.find("older message");
  REQUIRE(pos_new != std::string::npos);
  REQUIRE(pos_old != std::string::npos);
  CHECK(pos_new < pos_old);
  CHECK(html.find("<div class=\"title\">no link here</div>") != std::string::npos);
  CHECK(html.find("<div class=\"block block-header\">Block header</div>") != std::string::npos);
  CHECK(html.find("<div class=\"block-fields\"><div class=\"text\"><strong>field</strong></div>"
                  "</div>") != std::string::npos);
  CHECK(html.find("<summary>blocks (raw JSON)</summary>") != std::string::npos);
  CHECK(html.find("<span class=\"via\">to #alerts</span>") != std::string::npos);
}

TEST_CASE("channel page shows Slack's formatting where Slack applies it", "[slack][mrkdwn]") {
  SlackMessageView m;
  m.channel = "alerts";
  m.received_at_ms = kT0;
  m.text = "*FIRING* on <https://grafana.example/d/x|the dashboard> <!here>";
  SECTION("message text is mrkdwn unless mrkdwn is false") {
    const std::string html = render_channel("alerts", {m});
    CHECK(html.find("<div class=\"text\"><strong>FIRING</strong> on <a "
                    "href=\"https://grafana.example/d/x\" rel=\"noopener noreferrer\">the "
                    "dashboard</a> <span class=\"mention\">@here</span></div>") !=
          std::string::npos);
    m.mrkdwn = false;
    CHECK(render_channel("alerts", {m})
              .find("<div class=\"text\">*FIRING* on &lt;https://grafana.example/d/x|the "
                    "dashboard&gt; &lt;!here&gt;</div>") != std::string::npos);
  }
  SECTION("attachments: mrkdwn_in decides, the title never is") {
    SlackAttachment a;
    a.title = "*title* &amp; more";
    a.pretext = "*pretext*";
    a.text = "*text*\nline 2";
    a.fields = {{"*field title*", "_value_", true}};
    a.footer = "footer &lt;x&gt;";
    SECTION("nothing listed: plain text with Slack's escapes decoded") {
      m.attachments = {a};
      const std::string html = render_channel("alerts", {m});
      CHECK(html.find("<div class=\"title\">*title* &amp; more</div>") != std::string::npos);
      CHECK(html.find("<div class=\"text\">*pretext*</div>") != std::string::npos);
      CHECK(html.find("<div class=\"text\">*text*<br>line 2</div>") != std::string::npos);
      CHECK(html.find("<div class=\"field-title\">*field title*</div><div "
                      "class=\"text\">_value_</div>") != std::string::npos);
      CHECK(html.find("<div class=\"footer\">footer &lt;x&gt;</div>") != std::string::npos);
    }
    SECTION("Alertmanager's default, [fallback, pretext, text]; then fields too") {
      a.mrkdwn_in = {"fallback", "pretext", "text"};
      m.attachments = {a};
      std::string html = render_channel("alerts", {m});
      CHECK(html.find("<div class=\"title\">*title* &amp; more</div>") != std::string::npos);
      CHECK(html.find("<div class=\"text\"><strong>pretext</strong></div>") != std::string::npos);
      CHECK(html.find("<div class=\"text\"><strong>text</strong><br>line 2</div>") !=
            std::string::npos);
      CHECK(html.find("<div class=\"text\">_value_</div>") != std::string::npos);
      m.attachments[0].mrkdwn_in.push_back("fields");
      html = render_channel("alerts", {m});
      CHECK(html.find("<div class=\"field-title\">*field title*</div><div "
                      "class=\"text\"><em>value</em></div>") != std::string::npos);
    }
  }
  SECTION("Block Kit: header, section, context, divider; other types named") {
    m.text.clear();
    m.blocks_json = R"x([
      {"type":"header","text":{"type":"plain_text","text":":fire: *Portal* down"}},
      {"type":"section","text":{"type":"mrkdwn","text":"*Service:* portal"},
       "fields":[{"type":"mrkdwn","text":"*Severity*\npage"},
                 {"type":"plain_text","text":"_plain_"}]},
      {"type":"divider"},
      {"type":"context","elements":[{"type":"mrkdwn","text":"see <https://x.example|runbook>"},
                                    {"type":"image","image_url":"https://x.example/i.png",
                                     "alt_text":"logo"}]},
      {"type":"actions","elements":[]}])x";
    const std::string html = render_channel("alerts", {m});
    CHECK(html.find("<div class=\"block block-header\">\U0001F525 *Portal* down</div>") !=
          std::string::npos);
    CHECK(html.find("<div class=\"block block-section\"><div class=\"text\"><strong>Service:"
                    "</strong> portal</div><div class=\"block-fields\"><div "
                    "class=\"text\"><strong>Severity</strong><br>page</div><div "
                    "class=\"text\">_plain_</div></div></div>") != std::string::npos);
    CHECK(html.find("<hr class=\"block-divider\">") != std::string::npos);
    CHECK(html.find("<div class=\"block block-context\"><span class=\"text\">see <a "
                    "href=\"https://x.example\" rel=\"noopener noreferrer\">runbook</a></span>"
                    "<span class=\"text\">[logo]</span></div>") != std::string::npos);
    CHECK(html.find("A <code>actions</code> block, not rendered here") != std::string::npos);
    CHECK(html.find("i.png") != std::string::npos);  // only in the raw JSON
    CHECK(html.find("<img") == std::string::npos);
  }
}
