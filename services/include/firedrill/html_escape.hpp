#pragma once
// HTML escaping for the pages the services render (mock-slack's UI, the kit's error pages). Pure
// functions, thread-safe. Its own header, so that code which only escapes (the mrkdwn renderer and
// its fuzzer) needs neither cpp-httplib nor the rest of the kit.

#include <string>
#include <string_view>

namespace firedrill::http {

/// Appends `text` HTML-escaped (& < > " '), safe in element content and quoted attributes.
void append_html_escaped(std::string& out, std::string_view text);
std::string html_escape(std::string_view text);

}  // namespace firedrill::http
