#pragma once

// Templates and static files, embedded at build time from mock-slack/ui/templates and
// mock-slack/ui/static (see CMakeLists.txt), so the binary needs no files at run time.

#include <string_view>

namespace mock_slack::ui::embedded {

extern const std::string_view layout_head_html;
extern const std::string_view layout_foot_html;
extern const std::string_view error_html;
extern const std::string_view timeline_html;
extern const std::string_view incident_html;
extern const std::string_view incident_response_html;
extern const std::string_view channels_html;
extern const std::string_view channel_html;
extern const std::string_view search_html;
extern const std::string_view style_css;

}  // namespace mock_slack::ui::embedded
