// Slack mrkdwn to HTML. Safety is structural: text reaches `out` only through append_text() or
// append_html_escaped(), which HTML-escape every byte that could start markup, and each tag is
// written together with its closing tag by the same function, so the output is balanced whatever
// the input. The parser is linear in the input (no backtracking search per character).
#include "mock_slack_ui/mrkdwn.hpp"

#include <array>
#include <utility>
#include <vector>

#include "firedrill/html_escape.hpp"
#include "mock_slack_ui/html.hpp"

namespace mock_slack::ui {
namespace {

/// Emphasis nested deeper than this is shown as typed; bounds the recursion on hostile input.
constexpr int kMaxNesting = 8;
constexpr std::size_t kMaxEmojiName = 40;

/// The shortcodes Alertmanager templates use most; any other stays as typed.
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kEmoji{{
    {"bell", "\U0001F514"},
    {"check", "\u2714\uFE0F"},
    {"fire", "\U0001F525"},
    {"heavy_check_mark", "\u2714\uFE0F"},
    {"information_source", "\u2139\uFE0F"},
    {"large_green_circle", "\U0001F7E2"},
    {"no_bell", "\U0001F515"},
    {"red_circle", "\U0001F534"},
    {"rotating_light", "\U0001F6A8"},
    {"sos", "\U0001F198"},
    {"tada", "\U0001F389"},
    {"warning", "\u26A0\uFE0F"},
    {"white_check_mark", "\u2705"},
    {"x", "\u274C"},
    {"yellow_circle", "\U0001F7E1"},
    {"zap", "\u26A1"},
}};

/// Length of the Slack escape at text[i] ("&amp;" 5, "&lt;" / "&gt;" 4), 0 if there is none;
/// `decoded` receives the character.
std::size_t slack_escape_at(std::string_view text, std::size_t i, char& decoded) {
  const std::string_view rest = text.substr(i);
  if (rest.starts_with("&amp;")) {
    decoded = '&';
    return 5;
  }
  if (rest.starts_with("&lt;")) {
    decoded = '<';
    return 4;
  }
  if (rest.starts_with("&gt;")) {
    decoded = '>';
    return 4;
  }
  return 0;
}

/// Slack text to HTML text: Slack's escapes decoded, then everything HTML-escaped. Newlines are
/// kept as they are (callers split lines first, or are inside <pre>).
void append_text(std::string& out, std::string_view text) {
  firedrill::http::append_html_escaped(out, slack_unescape(text));
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/// ASCII letters and digits. Bytes of other UTF-8 characters count as punctuation, so formatting
/// works next to emoji and typographic punctuation ("*FIRING*…").
bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string_view emoji_for(std::string_view name) {
  for (const auto& [shortcode, character] : kEmoji) {
    if (shortcode == name) return character;
  }
  return {};
}

/// The known shortcode starting at text[i] == ':': its length including both colons, 0 if none.
std::size_t emoji_at(std::string_view text, std::size_t i, std::string_view& character) {
  const std::size_t length = text.substr(i + 1, kMaxEmojiName + 1).find(':');
  if (length == std::string_view::npos || length == 0) return 0;
  const std::string_view name = text.substr(i + 1, length);
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-')) {
      return 0;
    }
  }
  character = emoji_for(name);
  return character.empty() ? 0 : length + 2;
}

/// The closing backtick of an inline code span opening at text[i], or npos. Empty spans do not
/// count.
std::size_t code_end(std::string_view text, std::size_t i) {
  const std::size_t end = text.find('`', i + 1);
  return end == i + 1 ? std::string_view::npos : end;
}

/// The '>' closing a control sequence (<...>) opening at text[i], or npos. Slack escapes '<' in
/// text, so a second '<' before the '>' means this one was not a control sequence.
std::size_t control_end(std::string_view text, std::size_t i) {
  const std::size_t end = text.find_first_of("<>", i + 1);
  return end != std::string_view::npos && text[end] == '>' && end > i + 1 ? end
                                                                          : std::string_view::npos;
}

void append_mention(std::string& out, std::string_view shown) {
  out += "<span class=\"mention\">";
  append_text(out, shown);
  out += "</span>";
}

/// Renders the control sequence `body` (between '<' and '>'); false when it is none Slack knows,
/// or a link to a target that is not http(s) or mailto, and nothing was written.
bool append_control(std::string& out, std::string_view body) {
  const std::size_t bar = body.find('|');
  const std::string_view target = body.substr(0, bar);
  const std::string_view label = bar == std::string_view::npos ? "" : body.substr(bar + 1);
  switch (body.front()) {
    case '@':  // <@U123> or <@U123|name>
      append_mention(out, "@" + std::string(label.empty() ? target.substr(1) : label));
      return true;
    case '#':  // <#C123> or <#C123|name>
      append_mention(out, "#" + std::string(label.empty() ? target.substr(1) : label));
      return true;
    case '!': {
      const std::string_view command = target.substr(1, target.find('^') - 1);
      if (command == "here" || command == "channel" || command == "everyone") {
        append_mention(out, "@" + std::string(command));
        return true;
      }
      if (command == "subteam") {  // <!subteam^ID|@team>
        const std::size_t caret = target.find('^');
        const std::string_view id =
            caret == std::string_view::npos ? std::string_view() : target.substr(caret + 1);
        append_mention(out, label.empty() ? "@" + std::string(id) : std::string(label));
        return true;
      }
      if (command == "date" && !label.empty()) {  // <!date^1392734382^{date}|fallback>
        append_text(out, label);
        return true;
      }
      return false;
    }
    default:
      break;
  }
  const std::string href = safe_link(slack_unescape(target));
  if (href.empty()) return false;
  out += "<a href=\"";
  firedrill::http::append_html_escaped(out, href);
  out += "\" rel=\"noopener noreferrer\">";
  append_text(out, label.empty() ? target : label);
  out += "</a>";
  return true;
}

const char* emphasis_tag(char marker) {
  switch (marker) {
    case '*':
      return "strong";
    case '_':
      return "em";
    default:
      return "s";
  }
}

/// Where emphasis may close in `line`: for each marker, the positions of valid closing markers
/// outside code spans and control sequences, ascending.
struct Closers {
  std::array<std::vector<std::size_t>, 3> positions;
  std::array<std::size_t, 3> next{};  // the scan only moves forward

  static int index(char marker) { return marker == '*' ? 0 : marker == '_' ? 1 : 2; }

  explicit Closers(std::string_view line) {
    for (std::size_t k = 0; k < line.size(); ++k) {
      const char c = line[k];
      if (c == '`') {
        if (const std::size_t end = code_end(line, k); end != std::string_view::npos) k = end;
      } else if (c == '<') {
        if (const std::size_t end = control_end(line, k); end != std::string_view::npos) k = end;
      } else if ((c == '*' || c == '_' || c == '~') && k > 0 && !is_space(line[k - 1]) &&
                 (k + 1 == line.size() || (!is_word(line[k + 1]) && line[k + 1] != c))) {
        positions[static_cast<std::size_t>(index(c))].push_back(k);
      }
    }
  }

  /// The first closing `marker` after an opener at `open` that leaves a non-empty span; npos.
  std::size_t after(char marker, std::size_t open) {
    const auto m = static_cast<std::size_t>(index(marker));
    const auto& list = positions[m];
    std::size_t& n = next[m];
    while (n < list.size() && list[n] <= open + 1) ++n;
    return n < list.size() ? list[n] : std::string_view::npos;
  }
};

/// One line of mrkdwn: emphasis, code, control sequences and emoji.
void append_inline(std::string& out, std::string_view line, int depth) {
  Closers closers(line);
  std::size_t run = 0;  // start of the literal text not yet written
  const auto flush = [&](std::size_t upto) { append_text(out, line.substr(run, upto - run)); };
  std::size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == '`') {
      if (const std::size_t end = code_end(line, i); end != std::string_view::npos) {
        flush(i);
        out += "<code>";
        append_text(out, line.substr(i + 1, end - i - 1));
        out += "</code>";
        i = run = end + 1;
        continue;
      }
    } else if (c == '<') {
      if (const std::size_t end = control_end(line, i); end != std::string_view::npos) {
        flush(i);
        if (!append_control(out, line.substr(i + 1, end - i - 1))) {
          append_text(out, line.substr(i, end - i + 1));  // shown as typed
        }
        i = run = end + 1;
        continue;
      }
    } else if (c == '*' || c == '_' || c == '~') {
      const bool opens = (i == 0 || (!is_word(line[i - 1]) && line[i - 1] != c)) &&
                         i + 1 < line.size() && !is_space(line[i + 1]) && line[i + 1] != c;
      const std::size_t end = opens ? closers.after(c, i) : std::string_view::npos;
      if (end != std::string_view::npos && depth < kMaxNesting) {
        flush(i);
        const char* tag = emphasis_tag(c);
        out += '<';
        out += tag;
        out += '>';
        append_inline(out, line.substr(i + 1, end - i - 1), depth + 1);
        out += "</";
        out += tag;
        out += '>';
        i = run = end + 1;
        continue;
      }
    } else if (c == ':') {
      std::string_view character;
      if (const std::size_t len = emoji_at(line, i, character); len > 0) {
        flush(i);
        out += character;
        i = run = i + len;
        continue;
      }
    }
    ++i;
  }
  flush(line.size());
}

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

/// The lines of `text`, split at '\n', without a trailing '\r'.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find('\n', start);
    lines.push_back(without_cr(text.substr(start, end - start)));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return lines;
}

std::string_view quoted(std::string_view line, std::size_t marker_length) {
  line.remove_prefix(marker_length);
  if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  return line;
}

/// Lines joined by <br>.
void append_lines(std::string& out, const std::vector<std::string_view>& lines) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "<br>";
    append_inline(out, lines[i], 0);
  }
}

/// Text outside ``` blocks: lines joined by <br>, runs of '>' lines as one block quote, '>>>'
/// quoting the rest.
void append_flow(std::string& out, std::string_view text) {
  const std::vector<std::string_view> lines = lines_of(text);
  bool after_line = false;  // the previous item was a line of text, so the next needs a <br>
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.starts_with(">>>")) {
      std::vector<std::string_view> rest{quoted(line, 3)};
      rest.insert(rest.end(), lines.begin() + static_cast<std::ptrdiff_t>(i) + 1, lines.end());
      out += "<blockquote>";
      append_lines(out, rest);
      out += "</blockquote>";
      return;
    }
    if (line.starts_with('>')) {
      std::vector<std::string_view> quote;
      for (; i < lines.size() && lines[i].starts_with('>') && !lines[i].starts_with(">>>"); ++i) {
        quote.push_back(quoted(lines[i], 1));
      }
      --i;
      out += "<blockquote>";
      append_lines(out, quote);
      out += "</blockquote>";
      after_line = false;
      continue;
    }
    if (after_line) out += "<br>";
    append_inline(out, line, 0);
    after_line = true;
  }
}

}  // namespace

std::string slack_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char decoded = 0;
    if (const std::size_t len = slack_escape_at(text, i, decoded); len > 0) {
      out += decoded;
      i += len - 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string mrkdwn_to_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  std::size_t pos = 0;
  while (pos < text.size()) {
    // A ``` block needs its closing ``` and something in between; otherwise it is literal.
    const std::size_t open = text.find("```", pos);
    const std::size_t close = open == std::string_view::npos ? open : text.find("```", open + 4);
    if (close == std::string_view::npos) {
      append_flow(out, text.substr(pos));
      break;
    }
    // The block starts and ends its own line: one line break either side belongs to it.
    std::string_view before = text.substr(pos, open - pos);
    if (before.ends_with('\n')) before = without_cr(before.substr(0, before.size() - 1));
    if (!before.empty()) append_flow(out, before);
    std::string_view code = text.substr(open + 3, close - open - 3);
    if (code.starts_with("\r\n")) {
      code.remove_prefix(2);
    } else if (code.starts_with('\n')) {
      code.remove_prefix(1);
    }
    if (code.ends_with('\n')) code = without_cr(code.substr(0, code.size() - 1));
    out += "<pre>";
    append_text(out, code);
    out += "</pre>";
    pos = close + 3;
    if (text.substr(pos).starts_with("\r\n")) {
      pos += 2;
    } else if (text.substr(pos).starts_with('\n')) {
      pos += 1;
    }
  }
  return out;
}

std::string slack_plain_to_html(std::string_view text, bool emoji) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  const std::vector<std::string_view> lines = lines_of(text);
  for (std::size_t l = 0; l < lines.size(); ++l) {
    if (l > 0) out += "<br>";
    const std::string_view line = lines[l];
    std::size_t run = 0;
    for (std::size_t i = 0; emoji && i < line.size(); ++i) {
      std::string_view character;
      if (line[i] != ':') continue;
      if (const std::size_t len = emoji_at(line, i, character); len > 0) {
        append_text(out, line.substr(run, i - run));
        out += character;
        run = i + len;
        i = run - 1;
      }
    }
    append_text(out, line.substr(run));
  }
  return out;
}

}  // namespace mock_slack::ui
