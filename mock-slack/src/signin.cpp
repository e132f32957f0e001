// GET /signin?next=PATH (a row of routes.cpp's table; tests/signin_test.cpp): where a person
// signs in to act on an incident when the pages are open to anonymous readers
// (--anonymous-read). Signed in (a UI user's basic auth, or the trusted proxy's header): 303 See
// Other to `next`, a path of this site. Not signed in: 401 with a Basic challenge, which makes the
// browser ask for a UI user and send the request again; behind a proxy without UI users, 403 that
// says the proxy must sign the request. A browser keeps the credentials it was asked for and sends
// them to the pages that follow, so the incident page then offers its forms.
#include "firedrill/text.hpp"
#include "mock_slack/receiver.hpp"
#include "mock_slack_ui/html.hpp"

namespace mock_slack {

namespace {

constexpr std::size_t kMaxNextBytes = 2048;

/// Why `next` is not a path of this site to go back to, or empty. Only "/..." is taken: never a
/// scheme, a host ("//evil.example" or "/\evil.example", which browsers read as one), or bytes
/// that a Location header cannot carry, so that /signin cannot send anyone to another site.
std::string bad_next(std::string_view next) {
  if (next.size() > kMaxNextBytes) {
    return "next: longer than " + std::to_string(kMaxNextBytes) + " bytes";
  }
  if (next.empty() || next.front() != '/')
    return "next: expected a path of this site, as /incidents/7";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) {
    return "next: a path of this site cannot start with \"" + std::string(next.substr(0, 2)) +
           "\" (another site)";
  }
  for (char ch : next) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || ch == '\\') {
      return "next: holds a space, a backslash, a control or a non-ASCII byte (send it "
             "percent-encoded)";
    }
  }
  return {};
}

}  // namespace

void Receiver::signin(const Request& req, Response& res) {
  const std::string next = req.query("next").value_or("/");
  if (auto reason = bad_next(next); !reason.empty()) {
    page(res, 400, ui::render_error_page("Bad sign-in link", reason));
    return;
  }
  res.set_header("Cache-Control", "no-store");
  if (!read_auth_.signs_in_users()) {
    page(res, 404,
         ui::render_error_page("Nobody signs in here",
                               "mock-slack has no UI users and trusts no proxy header: start it "
                               "with --ui-basic-auth-file or --trusted-user-header."));
    return;
  }
  if (!signed_in_user(req).empty()) {
    res.status = 303;
    res.set_header("Location", next);
    res.set_header("Content-Security-Policy", std::string(ui::kContentSecurityPolicy));
    res.set_content("See " + next + "\n", "text/plain; charset=utf-8");
    return;
  }
  if (read_auth_.has_ui_users()) {
    res.set_header("WWW-Authenticate", read_auth_.denial().challenge);
    page(res, 401,
         ui::render_error_page("Sign in",
                               "Sign in as a UI user of --ui-basic-auth-file: your "
                               "browser asks for the user name and password."));
    return;
  }
  page(res, 403,
       ui::render_error_page("Sign in through the proxy",
                             "This request does not carry " + read_auth_.trusted_user_header() +
                                 ": sign in through the authenticating proxy in front of "
                                 "mock-slack."));
}

}  // namespace mock_slack
