#pragma once

/// Slack message text as HTML, the way Slack shows it: mrkdwn (Slack's own markup, not Markdown)
/// and plain text. The channel page inserts what these return without escaping it again, so they
/// are safe by construction: every run of text from the input is HTML-escaped here, and the only
/// markup emitted is the fixed set below, always balanced. Pure functions; thread-safe.
///
/// Emitted markup, nothing else: <strong> <em> <s> <code> <pre> <blockquote> <br>
/// <span class="mention"> and <a href="..." rel="noopener noreferrer"> whose
/// href is an absolute http(s) URL accepted by safe_url() or a mailto: address, attribute-escaped.
/// Newlines outside <pre> become <br>; the output holds no other line breaks.

#include <string>
#include <string_view>

namespace mock_slack::ui {

/// Slack's own escapes in message text: "&amp;", "&lt;" and "&gt;" decoded to '&', '<' and '>'.
/// Nothing else is an escape to Slack ("&quot;" stays as typed).
std::string slack_unescape(std::string_view text);

/// mrkdwn to HTML:
/// - `*bold*`, `_italic_`, `~strike~`, nested (`*bold _and italic_*`); a marker opens only at
///   the start of a word and closes only at its end, on one line, so snake_case_names and 2*3*4
///   stay as typed; an unterminated marker is literal;
/// - `` `code` `` and ```` ```preformatted``` ```` (may span lines), their content literal;
/// - `>` at the start of a line quotes that line, `>>>` quotes the rest of the text;
/// - `<https://x|label>`, `<https://x>`, `<mailto:a@b|label>`: links for http(s) and mailto
///   only, anything else (`<javascript:...|x>`) shown as typed;
/// - `<!here>`, `<!channel>`, `<!everyone>` as @here etc., `<@U123>` / `<@U123|name>` as @U123 /
///   @name, `<#C123|name>` as #name, `<!subteam^ID|@team>` as @team, `<!date^...|fallback>` as
///   its fallback;
/// - a few common `:emoji:` shortcodes (:fire:, :white_check_mark:, :warning:, ...) as the
///   character; any other shortcode stays as typed;
/// - Slack's escapes (slack_unescape) decoded in text, link labels and URLs.
std::string mrkdwn_to_html(std::string_view text);

/// Slack plain text (a `plain_text` object, an attachment title, a field Slack does not format)
/// to HTML: Slack's escapes decoded, everything HTML-escaped, newlines as <br>. With `emoji`, the
/// shortcodes mrkdwn_to_html knows become characters too (plain_text objects' `emoji` flag).
std::string slack_plain_to_html(std::string_view text, bool emoji = false);

}  // namespace mock_slack::ui
