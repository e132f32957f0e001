// libFuzzer target: the Slack incoming-webhook message parser (POST /slack/{channel*}) must
// never crash, hang or leak, and what it accepts has a text, attachments or blocks and a channel.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "mock_slack/slack_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto m = mock_slack::parse_slack_message(text, "fuzz");
    if (m.text.empty() && m.attachments.empty() && m.blocks.empty()) std::abort();
    if (m.channel.empty() || m.channel.size() > 255) std::abort();
    if (!m.attachments.is_array() || !m.blocks.is_array()) std::abort();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
