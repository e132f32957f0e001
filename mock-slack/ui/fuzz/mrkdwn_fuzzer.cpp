// libFuzzer target: the mrkdwn and plain-text renderers must never crash, hang or leak, and their
// HTML holds only the fixed set of tags mrkdwn.hpp lists, whatever the text.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mock_slack_ui/mrkdwn.hpp"

namespace {

/// Aborts when `html` holds a '<' that does not start one of the allowed tags, or a link whose
/// href could break out of its attribute.
void check_markup(const std::string& html) {
  static constexpr std::array<std::string_view, 17> kAllowed{"<strong>",
                                                             "</strong>",
                                                             "<em>",
                                                             "</em>",
                                                             "<s>",
                                                             "</s>",
                                                             "<code>",
                                                             "</code>",
                                                             "<pre>",
                                                             "</pre>",
                                                             "<blockquote>",
                                                             "</blockquote>",
                                                             "<br>",
                                                             "</span>",
                                                             "</a>",
                                                             "<a href=\"",
                                                             "<span class=\"mention\">"};
  const std::string_view s(html);
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '<') continue;
    bool ok = false;
    for (auto tag : kAllowed) {
      if (s.substr(i, tag.size()) == tag) {
        if (tag == "<a href=\"") {
          // The attribute ends at the next quote, then rel, then '>'.
          const auto end = s.find("\" rel=\"noopener noreferrer\">", i + tag.size());
          if (end == std::string_view::npos) std::abort();
          if (s.substr(i + tag.size(), end - i - tag.size()).find_first_of("<>\"") !=
              std::string_view::npos) {
            std::abort();
          }
        }
        ok = true;
        break;
      }
    }
    if (!ok) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_markup(mock_slack::ui::mrkdwn_to_html(text));
  check_markup(mock_slack::ui::slack_plain_to_html(text, true));
  check_markup(mock_slack::ui::slack_plain_to_html(text, false));
  return 0;
}
