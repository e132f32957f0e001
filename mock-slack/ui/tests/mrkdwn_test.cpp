#include "mock_slack_ui/mrkdwn.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fixtures.hpp"

using namespace mock_slack::ui;
using mock_slack::ui::testing::injection_findings;

namespace {

/// The tags mrkdwn.hpp promises, as they appear in the output (attributes included for <a>).
bool allowed_tag(const std::string& tag) {
  static const std::vector<std::string> fixed{
      "<strong>", "</strong>",    "<em>",          "</em>", "<s>",
      "</s>",     "<code>",       "</code>",       "<pre>", "</pre>",
      "<br>",     "<blockquote>", "</blockquote>", "</a>",  "<span class=\"mention\">",
      "</span>"};
  for (const std::string& f : fixed) {
    if (tag == f) return true;
  }
  return tag.rfind("<a href=\"", 0) == 0 &&
         tag.size() > std::string("<a href=\"\" rel=\"noopener noreferrer\">").size() &&
         tag.ends_with("\" rel=\"noopener noreferrer\">") &&
         tag.find('"', 9) == tag.size() - std::string("\" rel=\"noopener noreferrer\">").size();
}

/// Empty when `html` holds only the promised tags, balanced and properly nested; otherwise what
/// is wrong. Text between tags may hold no '<' or '>' (they would have been escaped).
std::string structure_problem(const std::string& html) {
  std::vector<std::string> open;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (html[i] == '>') return "bare '>' at " + std::to_string(i);
    if (html[i] != '<') continue;
    const std::size_t end = html.find('>', i);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
    const std::string tag = html.substr(i, end - i + 1);
    if (!allowed_tag(tag)) return "unexpected tag " + tag;
    const std::string name =
        tag.substr(tag[1] == '/' ? 2 : 1, tag.find_first_of(" >") - (tag[1] == '/' ? 2 : 1));
    if (tag[1] == '/') {
      if (open.empty() || open.back() != name) return "unbalanced " + tag;
      open.pop_back();
    } else if (name != "br") {
      open.push_back(name);
    }
    i = end;
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

}  // namespace

TEST_CASE("mrkdwn: emphasis, code and line structure", "[mrkdwn]") {
  SECTION("each construct") {
    CHECK(mrkdwn_to_html("*bold*") == "<strong>bold</strong>");
    CHECK(mrkdwn_to_html("_italic_") == "<em>italic</em>");
    CHECK(mrkdwn_to_html("~strike~") == "<s>strike</s>");
    CHECK(mrkdwn_to_html("`code`") == "<code>code</code>");
    CHECK(mrkdwn_to_html("a *b* c _d_ e ~f~ g") ==
          "a <strong>b</strong> c <em>d</em> e <s>f</s> g");
    CHECK(mrkdwn_to_html("(*bold*), _x_.") == "(<strong>bold</strong>), <em>x</em>.");
    CHECK(mrkdwn_to_html("*two words*") == "<strong>two words</strong>");
  }
  SECTION("nesting") {
    CHECK(mrkdwn_to_html("*bold _italic_*") == "<strong>bold <em>italic</em></strong>");
    CHECK(mrkdwn_to_html("_it *bo* ~st~_") == "<em>it <strong>bo</strong> <s>st</s></em>");
    CHECK(mrkdwn_to_html("*see `a*b` now*") == "<strong>see <code>a*b</code> now</strong>");
  }
  SECTION("code content is literal") {
    CHECK(mrkdwn_to_html("`*not bold* <https://x|y> :fire:`") ==
          "<code>*not bold* &lt;https://x|y&gt; :fire:</code>");
    CHECK(mrkdwn_to_html("```\nline *1*\n  line 2\n```") == "<pre>line *1*\n  line 2</pre>");
    CHECK(mrkdwn_to_html("before\n```x = 1```\nafter") == "before<pre>x = 1</pre>after");
    CHECK(mrkdwn_to_html("```a &lt;b&gt; &amp; c```") == "<pre>a &lt;b&gt; &amp; c</pre>");
  }
  SECTION("unterminated or empty markers are literal") {
    CHECK(mrkdwn_to_html("*bold") == "*bold");
    CHECK(mrkdwn_to_html("bold*") == "bold*");
    CHECK(mrkdwn_to_html("_a") == "_a");
    CHECK(mrkdwn_to_html("~") == "~");
    CHECK(mrkdwn_to_html("**") == "**");
    CHECK(mrkdwn_to_html("* not bold *") == "* not bold *");
    CHECK(mrkdwn_to_html("`open") == "`open");
    CHECK(mrkdwn_to_html("``") == "``");
    CHECK(mrkdwn_to_html("```open\nblock") == "```open<br>block");
    CHECK(mrkdwn_to_html("``````") == "``````");
  }
  SECTION("markers inside words are text, as in Slack") {
    CHECK(mrkdwn_to_html("snake_case_names") == "snake_case_names");
    CHECK(mrkdwn_to_html("job my_job_name failed") == "job my_job_name failed");
    CHECK(mrkdwn_to_html("2*3*4") == "2*3*4");
    CHECK(mrkdwn_to_html("a~b~c") == "a~b~c");
    CHECK(mrkdwn_to_html("_x_y") == "_x_y");
    CHECK(mrkdwn_to_html("__init__") == "__init__");
    CHECK(mrkdwn_to_html("*bold*ly") == "*bold*ly");
  }
  SECTION("emphasis does not span lines") { CHECK(mrkdwn_to_html("*a\nb*") == "*a<br>b*"); }
  SECTION("newlines and block quotes") {
    CHECK(mrkdwn_to_html("one\ntwo\r\n\nfour") == "one<br>two<br><br>four");
    CHECK(mrkdwn_to_html("> quoted *x*\n>more\nafter") ==
          "<blockquote>quoted <strong>x</strong><br>more</blockquote>after");
    CHECK(mrkdwn_to_html("before\n> q") == "before<blockquote>q</blockquote>");
    CHECK(mrkdwn_to_html("a\n>>> all\nof this") == "a<blockquote>all<br>of this</blockquote>");
    CHECK(mrkdwn_to_html("not > a quote") == "not &gt; a quote");
    CHECK(mrkdwn_to_html("&gt; escaped, not a quote") == "&gt; escaped, not a quote");
  }
}

TEST_CASE("mrkdwn: links, mentions, escapes and emoji", "[mrkdwn]") {
  SECTION("links for http(s) and mailto only") {
    CHECK(mrkdwn_to_html("<https://example.com/a?b=1&amp;c=2|the *label*>") ==
          "<a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"noopener noreferrer\">the "
          "*label*</a>");
    CHECK(mrkdwn_to_html("see <http://x.example>") ==
          "see <a href=\"http://x.example\" rel=\"noopener noreferrer\">http://x.example</a>");
    CHECK(mrkdwn_to_html("<mailto:sre@example.com|mail us>") ==
          "<a href=\"mailto:sre@example.com\" rel=\"noopener noreferrer\">mail us</a>");
    CHECK(mrkdwn_to_html("*<https://x.example|bold link>*") ==
          "<strong><a href=\"https://x.example\" rel=\"noopener noreferrer\">bold "
          "link</a></strong>");
    // A marker inside a URL does not close emphasis opened outside it.
    CHECK(mrkdwn_to_html("_see <https://x.example/a_|b> here_") ==
          "<em>see <a href=\"https://x.example/a_\" rel=\"noopener noreferrer\">b</a> here</em>");
  }
  SECTION("other schemes and non-links are shown as typed") {
    CHECK(mrkdwn_to_html("<javascript:alert(1)|x>") == "&lt;javascript:alert(1)|x&gt;");
    CHECK(mrkdwn_to_html("<JaVaScRiPt:alert(1)>") == "&lt;JaVaScRiPt:alert(1)&gt;");
    CHECK(mrkdwn_to_html("<data:text/html,x|y>") == "&lt;data:text/html,x|y&gt;");
    CHECK(mrkdwn_to_html("<//evil.example|y>") == "&lt;//evil.example|y&gt;");
    CHECK(mrkdwn_to_html("<https://a b|y>") == "&lt;https://a b|y&gt;");
    CHECK(mrkdwn_to_html("<mailto:|y>") == "&lt;mailto:|y&gt;");
    CHECK(mrkdwn_to_html("a < b and c > d") == "a &lt; b and c &gt; d");
    CHECK(mrkdwn_to_html("<<https://x.example>") ==
          "&lt;<a href=\"https://x.example\" rel=\"noopener noreferrer\">https://x.example</a>");
    CHECK(mrkdwn_to_html("<>") == "&lt;&gt;");
  }
  SECTION("mentions") {
    CHECK(mrkdwn_to_html("<!channel> <!here> <!everyone>") ==
          "<span class=\"mention\">@channel</span> <span class=\"mention\">@here</span> "
          "<span class=\"mention\">@everyone</span>");
    CHECK(mrkdwn_to_html("<!here|here>") == "<span class=\"mention\">@here</span>");
    CHECK(mrkdwn_to_html("<@U123> <@U456|alice>") ==
          "<span class=\"mention\">@U123</span> <span class=\"mention\">@alice</span>");
    CHECK(mrkdwn_to_html("<#C123|ops> <#C456>") ==
          "<span class=\"mention\">#ops</span> <span class=\"mention\">#C456</span>");
    CHECK(mrkdwn_to_html("<!subteam^S1|@sre>") == "<span class=\"mention\">@sre</span>");
    CHECK(mrkdwn_to_html("<!date^1392734382^{date_short}|Feb 18, 2014>") == "Feb 18, 2014");
    CHECK(mrkdwn_to_html("<!unknown>") == "&lt;!unknown&gt;");
  }
  SECTION("Slack's escapes decode once, then are HTML-escaped") {
    CHECK(slack_unescape("a &amp; b &lt;c&gt; &quot;d&quot; &amp;lt;") ==
          "a & b <c> &quot;d&quot; &lt;");
    CHECK(mrkdwn_to_html("&lt;script&gt;alert(1)&lt;/script&gt;") ==
          "&lt;script&gt;alert(1)&lt;/script&gt;");
    CHECK(mrkdwn_to_html("AT&amp;T &amp;lt; &quot;") == "AT&amp;T &amp;lt; &amp;quot;");
    CHECK(mrkdwn_to_html("`&lt;b&gt;`") == "<code>&lt;b&gt;</code>");
  }
  SECTION("emoji shortcodes") {
    CHECK(mrkdwn_to_html(":fire: :white_check_mark: :warning:") ==
          "\U0001F525 \u2705 \u26A0\uFE0F");
    CHECK(mrkdwn_to_html(":fire::fire:") == "\U0001F525\U0001F525");
    CHECK(mrkdwn_to_html(":not_an_emoji_we_map: 10:30:00") == ":not_an_emoji_we_map: 10:30:00");
    CHECK(mrkdwn_to_html("*:rotating_light: FIRING*") == "<strong>\U0001F6A8 FIRING</strong>");
  }
}

TEST_CASE("Slack plain text: escapes and line breaks only", "[mrkdwn]") {
  CHECK(slack_plain_to_html("*not bold* <https://x|y>\n&lt;b&gt; \"q\" 'a'") ==
        "*not bold* &lt;https://x|y&gt;<br>&lt;b&gt; &quot;q&quot; &#39;a&#39;");
  CHECK(slack_plain_to_html(":fire: x") == ":fire: x");
  CHECK(slack_plain_to_html(":fire: x", true) == "\U0001F525 x");
}

TEST_CASE("mrkdwn of hostile input is escaped text in the promised tags", "[mrkdwn][security]") {
  SECTION("known attacks") {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
        {"\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"},
        {"<javascript:alert(1)|x>", "&lt;javascript:alert(1)|x&gt;"},
        // Attribute breakout through the URL: the quote is escaped inside href.
        {"<https://x.example/\"onmouseover=\"alert(1)|y>",
         "<a href=\"https://x.example/&quot;onmouseover=&quot;alert(1)\" "
         "rel=\"noopener noreferrer\">y</a>"},
        // ... and through the label: text, not markup.
        {"<https://x.example|\"><img src=x onerror=alert(1)>",
         "<a href=\"https://x.example\" rel=\"noopener noreferrer\">&quot;</a>&lt;img src=x "
         "onerror=alert(1)&gt;"},
        {"<https://x.example|a&lt;/a&gt;&lt;script&gt;>",
         "<a href=\"https://x.example\" rel=\"noopener noreferrer\">a&lt;/a&gt;&lt;script&gt;</a>"},
        {"<@U1|\"><script>>", "<span class=\"mention\">@&quot;</span>&lt;script&gt;&gt;"},
        {"```</pre><script>x</script>```", "<pre>&lt;/pre&gt;&lt;script&gt;x&lt;/script&gt;</pre>"},
        {"{{bad}} {{{worse}}}", "{{bad}} {{{worse}}}"},
    };
    for (const auto& [input, expected] : cases) {
      INFO(input);
      const std::string html = mrkdwn_to_html(input);
      CHECK(html == expected);
      CHECK(structure_problem(html).empty());
      CHECK(injection_findings(html) == std::vector<std::string>{});
    }
  }
  SECTION("the structure checker can fail") {
    CHECK_FALSE(structure_problem("<strong>x").empty());
    CHECK_FALSE(structure_problem("<em>x</strong>").empty());
    CHECK_FALSE(structure_problem("<img src=x>").empty());
    CHECK_FALSE(
        structure_problem("<a href=\"x\" onclick=\"y\" rel=\"noopener noreferrer\">").empty());
    CHECK_FALSE(structure_problem("a > b").empty());
  }
  SECTION("random marker soup stays balanced and escaped") {
    // Seeded: the same inputs on every run.
    std::mt19937 random(20261121);
    const std::string alphabet = "*_~`<>|!@#&;:\n >abcx ";
    const std::vector<std::string> pieces{"https://x.example",
                                          "javascript:",
                                          "&lt;",
                                          "&amp;",
                                          "&gt;",
                                          "mailto:a@b",
                                          "```",
                                          ">>>",
                                          ":fire:",
                                          "\"",
                                          "'"};
    for (int n = 0; n < 3000; ++n) {
      std::string input;
      const int length = static_cast<int>(random() % 40);
      for (int i = 0; i < length; ++i) {
        if (random() % 5 == 0) {
          input += pieces[random() % pieces.size()];
        } else {
          input += alphabet[random() % alphabet.size()];
        }
      }
      const std::string html = mrkdwn_to_html(input);
      INFO(input);
      REQUIRE(structure_problem(html) == "");
      REQUIRE(injection_findings(html) == std::vector<std::string>{});
      REQUIRE(structure_problem(slack_plain_to_html(input, true)) == "");
    }
  }
  SECTION("long and deeply nested hostile input renders balanced HTML") {
    // Openers without closers, nested openers and '<' without '>' on one 300 kB line. Tests are
    // not timed here: a quadratic parser would still pass, but take minutes and meet ctest's
    // timeout.
    std::string input;
    for (int i = 0; i < 20000; ++i) input += "*a _b ~c `d <e ";
    const std::string html = mrkdwn_to_html(input);
    CHECK(structure_problem(html).empty());
    std::string deep;
    for (int i = 0; i < 2000; ++i) deep += "*_~";
    deep += "x";
    for (int i = 0; i < 2000; ++i) deep += "~_*";
    CHECK(structure_problem(mrkdwn_to_html(deep)).empty());
  }
}
