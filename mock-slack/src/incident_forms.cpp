// POST /incidents/{id}/events (a row of routes.cpp's table; tests/incident_forms_test.cpp): the
// incident page's forms to acknowledge, add a note, mark mitigated, resolve by hand and reopen.
// A plain HTML form (application/x-www-form-urlencoded, no script) posts here; the event is
// appended through incident_events.hpp and the answer is 303 See Other back to the incident page
// (Post/Redirect/Get). The author is the signed-in user, never a field; a post needs the CSRF
// token of its session and a same-origin request (csrf.hpp). Every refusal is an HTML page and
// stores nothing.
#include <map>
#include <nlohmann/json.hpp>

#include "firedrill/log.hpp"
#include "firedrill/text.hpp"
#include "mock_slack/incident_events.hpp"
#include "mock_slack/receiver.hpp"
#include "mock_slack_ui/html.hpp"
#include "mock_slack_ui/incident_response.hpp"

namespace mock_slack {

namespace {

using firedrill::cut;

/// A refusal of the form: the status and a line for the page.
struct FormError {
  int status;
  std::string title;
  std::string detail;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// One percent-decoded name or value of a form ('+' is a space); nullopt for a broken escape.
std::optional<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

/// An application/x-www-form-urlencoded body as a browser sends it: name=value pairs joined by
/// '&'. Throws FormError (400) for a broken escape or a field given twice.
std::map<std::string, std::string> parse_form(std::string_view body) {
  std::map<std::string, std::string> fields;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = form_decode(pair.substr(0, eq));
    auto value =
        form_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) {
      throw FormError{400, "Bad form", "The form's body is not valid form encoding."};
    }
    if (!fields.emplace(std::move(*name), std::move(*value)).second) {
      throw FormError{
          400, "Bad form",
          "The form gives the field \"" + cut(pair.substr(0, eq)) + "\" more than once."};
    }
  }
  return fields;
}

bool form_media_type(std::string_view content_type) {
  const std::string_view media = content_type.substr(0, content_type.find(';'));
  std::string lower(media);
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "application/x-www-form-urlencoded";
}

/// The text as stored: line ends as "\n", surrounding whitespace trimmed. Throws FormError (400)
/// for text that is not UTF-8, holds control characters, or is longer than an event may be.
std::string event_text(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      throw FormError{400, "Bad form", "text: holds a control character"};
    }
    out += text[i];
  }
  const auto first = out.find_first_not_of(" \t\n");
  out = first == std::string::npos ? std::string()
                                   : out.substr(first, out.find_last_not_of(" \t\n") - first + 1);
  try {
    (void)nlohmann::json(out).dump();  // throws for invalid UTF-8, as the JSON API would
  } catch (const nlohmann::json::type_error&) {
    throw FormError{400, "Bad form", "text: not valid UTF-8"};
  }
  if (out.size() > kMaxEventTextBytes) {
    throw FormError{400, "Bad form",
                    "text: longer than " + std::to_string(kMaxEventTextBytes) + " bytes"};
  }
  return out;
}

/// The text an event of `kind` gets when the form's comment is left empty.
std::string default_text(std::string_view kind) {
  if (kind == "acknowledged") return "acknowledged";
  if (kind == "mitigated") return "marked mitigated";
  if (kind == "resolved") return "resolved by hand";
  return "reopened";
}

bool form_kind(std::string_view kind) {
  for (const char* k : ui::kFormEventKinds) {
    if (kind == k) return true;
  }
  return false;
}

std::string form_kinds() {
  std::string out;
  for (const char* k : ui::kFormEventKinds) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

const char* const kHowToSignIn =
    "start mock-slack with --trusted-user-header (behind an authenticating proxy such as "
    "oauth2-proxy) or --ui-basic-auth-file (people sign in with basic auth)";

/// A usable author: not longer than an event's author may be, and no control characters (a
/// proxy's header could carry anything).
bool usable_author(std::string_view user) {
  if (user.empty() || user.size() > kMaxEventAuthorBytes) return false;
  for (char ch : user) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return false;
  }
  try {
    (void)nlohmann::json(std::string(user)).dump();
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
  return true;
}

}  // namespace

std::string Receiver::signed_in_user(const Request& req) const {
  const auto& header = read_auth_.trusted_user_header();
  return read_auth_.user(req.header("Authorization"),
                         header.empty() ? std::string() : req.header(header.c_str()));
}

ui::IncidentFormsView Receiver::incident_forms(const Request& req, Response& res) const {
  ui::IncidentFormsView forms;
  if (!read_auth_.signs_in_users()) {
    forms.why_not = std::string("These forms need a signed-in user to sign what is posted: ") +
                    kHowToSignIn + ".";
    return forms;
  }
  forms.user = signed_in_user(req);
  if (forms.user.empty() && req.header("Authorization").empty()) {
    // An anonymous reader (--anonymous-read): /signin asks for a user and comes back here.
    forms.why_not = "Sign in to acknowledge, add notes or mark mitigation.";
    forms.signin_url = "/signin?next=" + ui::url_encode(req.http.path);
    return forms;
  }
  if (!usable_author(forms.user)) {
    forms.why_not = forms.user.empty()
                        ? "Sign in as a person to acknowledge, add notes or mark mitigation: "
                          "the read token names nobody."
                        : "The signed-in user's name cannot sign events: it is longer than " +
                              std::to_string(kMaxEventAuthorBytes) +
                              " bytes or holds control characters.";
    forms.user.clear();
    return forms;
  }
  auto session = CsrfGuard::session_of(req.header("Cookie"));
  if (!session) {
    session = csrf_.new_session();
    res.set_header("Set-Cookie",
                   CsrfGuard::session_cookie(*session, req.header("X-Forwarded-Proto") == "https"));
  }
  // The page now holds a token of this session: no cache may keep it.
  res.set_header("Cache-Control", "no-store");
  forms.offered = true;
  forms.csrf_token = csrf_.token(*session, forms.user, store_.now());
  return forms;
}

void Receiver::post_incident_form(const Request& req, Response& res) {
  try {
    if (!read_auth_.signs_in_users()) {
      throw FormError{
          403, "Forms are off",
          std::string("The incident page's forms need a signed-in user: ") + kHowToSignIn + "."};
    }
    const std::string user = signed_in_user(req);
    if (user.empty()) {
      throw FormError{403, "Sign-in required",
                      req.header("Authorization").empty()
                          ? "Sign in to post: open /signin, then send the form again from the "
                            "incident page."
                          : "Sign in as a person to post: the read token names nobody."};
    }
    if (!usable_author(user)) {
      throw FormError{400, "Bad user name",
                      "The signed-in user's name is empty, longer than " +
                          std::to_string(kMaxEventAuthorBytes) +
                          " bytes or holds control characters."};
    }
    if (auto reason =
            cross_origin_reason(req.header("Origin"), req.header("Referer"), req.header("Host"));
        !reason.empty()) {
      throw FormError{403, "Refused", reason};
    }
    if (!form_media_type(req.header("Content-Type"))) {
      throw FormError{415, "Unsupported form",
                      "Expected Content-Type application/x-www-form-urlencoded, got \"" +
                          cut(req.header("Content-Type")) + "\"."};
    }
    auto fields = parse_form(req.body());
    const auto session = CsrfGuard::session_of(req.header("Cookie"));
    if (!session) {
      throw FormError{403, "Refused",
                      "The request carries no session cookie: reload the incident page (the "
                      "browser must accept its cookie) and send the form again."};
    }
    if (auto reason = csrf_.check(fields["csrf"], *session, user, store_.now()); !reason.empty()) {
      throw FormError{403, "Refused", reason};
    }
    for (const auto& [name, value] : fields) {
      if (name != "csrf" && name != "kind" && name != "text") {
        throw FormError{400, "Bad form",
                        "unexpected field \"" + cut(name) + "\"" +
                            (name == "author" ? ": the author is the signed-in user" : "")};
      }
    }
    const std::string kind = fields["kind"];
    if (!form_kind(kind)) {
      throw FormError{400, "Bad form", "kind: \"" + cut(kind) + "\" is not one of " + form_kinds()};
    }
    std::string text = event_text(fields["text"]);
    if (text.empty()) {
      if (kind == "note") throw FormError{400, "Bad form", "text: a note cannot be empty"};
      text = default_text(kind);
    }
    const std::string& id_text = req.params.at(0);
    const auto id =
        id_text.size() <= 18 ? firedrill::parse_decimal<std::int64_t>(id_text) : std::nullopt;
    if (!id || *id <= 0) {
      throw FormError{400, "Bad incident id",
                      "\"" + cut(id_text) + "\" is not an incident id (a positive integer)."};
    }
    if (!store_.incident(*id)) {
      throw FormError{404, "No such incident", "There is no incident " + cut(id_text) + "."};
    }
    IncidentEvent event;
    event.at = store_.now();
    event.author = user;
    event.kind = kind;
    event.text = std::move(text);
    event.details = {{"via", "incident page"}};
    event.incident_id = *id;
    const IncidentEvent stored = add_incident_event(store_, std::move(event));
    firedrill::log::info(
        "incident event posted",
        {{"incident", *id}, {"event", stored.id}, {"kind", kind}, {"author", user}});
    res.status = 303;
    res.set_header("Location", "/incidents/" + std::to_string(*id));
    res.set_header("Content-Security-Policy", std::string(ui::kContentSecurityPolicy));
    res.set_content("See /incidents/" + std::to_string(*id) + "\n", "text/plain; charset=utf-8");
  } catch (const FormError& e) {
    page(res, e.status, ui::render_error_page(e.title, e.detail));
  } catch (const StoreUnavailable& e) {
    page(
        res, 503,
        ui::render_error_page("Try again", std::string("The store cannot write now: ") + e.what()));
  }
}

}  // namespace mock_slack
