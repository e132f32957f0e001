// POST /slack/{channel*}: Slack incoming-webhook messages, as Alertmanager's slack_configs sends
// them. Answers "ok" like Slack does. Needs the webhook's credentials when they are set
// (Alertmanager sends them through the slack_config's http_config).
#include "mock_slack/receiver.hpp"
#include "mock_slack/slack_message.hpp"

namespace mock_slack {

using firedrill::http::error_response;

void Receiver::slack(const Request& req, Response& res) {
  if (!authorized(req, res)) return;
  if (!json_body(req, res, "a Slack message (JSON)")) return;
  Message m;
  try {
    m = parse_slack_message(req.body(), req.params.at(0));
  } catch (const std::invalid_argument& e) {
    error_response(res, 400, e.what());
    return;
  }
  try {
    store_.add_message(m);
  } catch (const StoreUnavailable& e) {
    error_response(res, 503, e.what());
    return;
  }
  res.status = 200;
  res.set_content("ok", "text/plain");
}

}  // namespace mock_slack
