#pragma once
// mock-slack's credentials: the webhook's (bearer token or basic auth, as Alertmanager's
// http_config sends them) and the readers' (a read token, a trusted user header, or the UI users'
// basic auth), each checked in constant time; and who the signed-in user is. Thread-safe.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mock_slack {

/// Credentials Alertmanager's http_config sends: `authorization: {credentials: TOKEN}` (Bearer)
/// or `basic_auth: {username, password}`. Either configured one is accepted.
struct Credentials {
  std::string bearer_token;     ///< empty: not accepted
  std::string basic_user_pass;  ///< "user:pass"; empty: not accepted
  bool configured() const { return !bearer_token.empty() || !basic_user_pass.empty(); }
};

/// Checks an Authorization header in constant time (SHA-256 of both sides compared with
/// CRYPTO_memcmp, so neither content nor length leaks through timing). Thread-safe.
class WebhookAuth {
 public:
  explicit WebhookAuth(const Credentials& credentials);
  bool enabled() const { return enabled_; }
  /// True when auth is off, or the header carries configured credentials.
  bool allows(std::string_view authorization_header) const;

 private:
  bool enabled_ = false;
  bool bearer_ = false;
  bool basic_ = false;
  std::string bearer_digest_;  // SHA-256 of the token
  std::string basic_digest_;   // SHA-256 of "user:pass"
};

/// Who may read the pages, the JSON API and the runbooks. Both off by default: mock-slack
/// listens on loopback. Either configured one is accepted.
struct ReadCredentials {
  std::string bearer_token;  ///< --read-token: `Authorization: Bearer TOKEN`; empty: not accepted
  /// --trusted-user-header: a header (X-Forwarded-User) that an authenticating proxy such as
  /// oauth2-proxy sets to the signed-in user; empty: no header is trusted. Only safe when every
  /// request reaches mock-slack through that proxy, which must drop the header from clients.
  std::string trusted_user_header;
  /// --ui-basic-auth-file: the people who sign in to the pages with HTTP basic auth, as (user,
  /// password); empty: none. They may read, and the incident page's forms sign with their name.
  std::vector<std::pair<std::string, std::string>> ui_users;
  /// --anonymous-read: a request without credentials may read too, as a Grafana viewer does;
  /// people sign in (GET /signin) only to act with the incident page's forms. A credential that
  /// is sent must still be right. Meant for a stack on loopback; needs UI users or the header.
  bool anonymous_read = false;
  bool configured() const {
    return !bearer_token.empty() || !trusted_user_header.empty() || !ui_users.empty();
  }
};

/// Reads a --ui-basic-auth-file: one `user:password` a line (the user name without ':', the
/// password the rest of the line), blank lines and lines starting with '#' ignored, a trailing
/// '\r' dropped. Throws std::invalid_argument naming the line (`line 3: expected user:password`),
/// a repeated user, or a file without users.
std::vector<std::pair<std::string, std::string>> parse_ui_users(std::string_view text);

/// Checks the read credentials of a request: the bearer token in constant time, or a non-empty
/// value of the trusted header. Thread-safe.
class ReadAuth {
 public:
  explicit ReadAuth(ReadCredentials credentials);
  bool enabled() const { return enabled_; }
  /// The header to pass to allows() as `trusted_user`; empty when none is trusted.
  const std::string& trusted_user_header() const { return trusted_user_header_; }
  /// True when read auth is off, or the Authorization header carries the read token or a UI
  /// user's basic auth, or the trusted header is set, or (--anonymous-read) no credential is
  /// sent at all.
  bool allows(std::string_view authorization_header, std::string_view trusted_user) const;
  /// Whether anyone can be signed in: a trusted header or UI users are configured.
  bool signs_in_users() const { return !trusted_user_header_.empty() || !ui_users_.empty(); }
  /// Whether UI users are configured: GET /signin then asks the browser for one (basic auth).
  bool has_ui_users() const { return !ui_users_.empty(); }
  /// Whether a request without credentials may read (--anonymous-read).
  bool anonymous_read() const { return anonymous_; }
  /// The signed-in user: the trusted header's value when the header is configured and its value
  /// is non-empty, else the user name of a UI user's basic auth in the Authorization header,
  /// else empty (the read token names nobody).
  std::string user(std::string_view authorization_header, std::string_view trusted_user) const;
  /// How a request without read credentials is answered: 401 with a Basic challenge when UI
  /// users are configured (a browser then asks for them), else with a Bearer challenge when a
  /// read token is set, else 403 (only the proxy can sign a user in); the message says what is
  /// needed.
  struct Denial {
    int status;
    std::string challenge;  ///< WWW-Authenticate; empty for 403
    std::string message;
  };
  const Denial& denial() const { return denial_; }

 private:
  bool enabled_ = false;
  bool anonymous_ = false;
  std::string bearer_digest_;  // SHA-256 of the token; empty: no token
  std::string trusted_user_header_;
  std::vector<std::pair<std::string, std::string>> ui_users_;  // (user, SHA-256 of "user:pass")
  Denial denial_;
};

/// Lowercase hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view data);

/// Base64 decoding (standard alphabet, padding optional); false for invalid text.
bool base64_decode(std::string_view in, std::string& out);

}  // namespace mock_slack
