#pragma once
// The parser of a Slack incoming-webhook message (POST /slack/{channel}) into the store's
// Message. Pure; thread-safe.

#include <string_view>

#include "mock_slack/store.hpp"

namespace mock_slack {

/// Parses a Slack incoming-webhook message (`channel`, `username`, `text`, `mrkdwn`,
/// `attachments`, `blocks`, icons). The channel is the body's, without a leading '#', else
/// `path_channel` (from /slack/{channel*}). Throws std::invalid_argument naming the field:
/// `text: expected a string, got number`. Pure; thread-safe.
Message parse_slack_message(std::string_view body, std::string_view path_channel);

}  // namespace mock_slack
