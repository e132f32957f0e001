// GET /runbooks/{name}: <runbooks-dir>/<name>.md as Markdown; alert rules link here.
#include <fstream>
#include <sstream>

#include "mock_slack/receiver.hpp"

namespace mock_slack {

void Receiver::runbook(const Request& req, Response& res) {
  const std::string& name = req.params.at(0);
  bool valid = !name.empty() && name.size() <= 128;
  for (char c : name) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-');
  }
  if (!valid) {
    firedrill::http::error_response(res, 404, "no runbook named \"" + name.substr(0, 128) + "\"");
    return;
  }
  std::ifstream in(options_.runbooks_dir / (name + ".md"), std::ios::binary);
  if (!in) {
    firedrill::http::error_response(res, 404, "no runbook named \"" + name + "\"");
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  res.status = 200;
  res.set_content(text.str(), "text/markdown; charset=utf-8");
}

}  // namespace mock_slack
