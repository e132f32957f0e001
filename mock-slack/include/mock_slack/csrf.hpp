#pragma once
// Cross-site request forgery protection for the pages' forms (incident_forms.cpp): a per-session
// token and an Origin check, both required.
//
// - The session is a random id in the cookie `mockslack_session` (HttpOnly; SameSite=Strict;
//   Path=/; Secure behind an HTTPS proxy), set by the page that carries a form. SameSite=Strict
//   keeps a browser from sending it with a request another site starts.
// - A form carries `<issued unix seconds>.<hex HMAC-SHA256(secret, session, user, issued)>`; the
//   secret is random per process, so a token is good for one session, one signed-in user, this
//   process and kCsrfTokenMaxAge. It is compared in constant time.
// - The Origin header (the Referer's origin when a browser sends no Origin) must name the host
//   the request was sent to (its Host header); a request with neither is refused.
// The random source and the clock are injected for tests. Thread-safe.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "firedrill/alerting/time.hpp"

namespace mock_slack {

/// Fills `size` bytes at `out` with unpredictable bytes; throws std::runtime_error when it
/// cannot.
using RandomBytes = std::function<void(unsigned char* out, std::size_t size)>;
/// OpenSSL's RAND_bytes.
void system_random_bytes(unsigned char* out, std::size_t size);

inline constexpr std::string_view kSessionCookie = "mockslack_session";
/// How long a page's form stays good: a page left open longer is reloaded.
inline constexpr std::chrono::seconds kCsrfTokenMaxAge{std::chrono::hours(12)};

class CsrfGuard {
 public:
  /// Draws the process's secret from `random`.
  explicit CsrfGuard(RandomBytes random = system_random_bytes);

  /// A new session id: 32 random bytes, hex.
  std::string new_session() const;
  /// True for text new_session() could have made (64 lowercase hex digits).
  static bool valid_session(std::string_view session);
  /// The Set-Cookie value that keeps `session`; `secure` adds Secure (the browser reached
  /// mock-slack over HTTPS, through a proxy that says so in X-Forwarded-Proto).
  static std::string session_cookie(std::string_view session, bool secure = false);
  /// The session id of a Cookie header, or nullopt when it has none or an invalid one.
  static std::optional<std::string> session_of(std::string_view cookie_header);

  /// The token a form of `session` for `user` carries, issued at `now`.
  std::string token(std::string_view session, std::string_view user,
                    firedrill::alerting::TimePoint now) const;
  /// Empty when `token` is one token() made for this session and user, issued no more than
  /// kCsrfTokenMaxAge before `now` (and not after it); else why not, for the 403 page.
  std::string check(std::string_view token, std::string_view session, std::string_view user,
                    firedrill::alerting::TimePoint now) const;

 private:
  std::string mac(std::string_view session, std::string_view user, std::string_view issued) const;

  RandomBytes random_;
  std::string secret_;
};

/// Empty when the request comes from a page of the host it was sent to: its Origin, or when it
/// has none its Referer, is http(s)://<host> with `host` its Host header (compared
/// case-insensitively). Else why not, for the 403 page.
std::string cross_origin_reason(std::string_view origin, std::string_view referer,
                                std::string_view host);

}  // namespace mock_slack
