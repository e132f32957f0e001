#pragma once

#include <string>
#include <string_view>

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

/// Lowercase hex SHA-256 of the bytes.
std::string sha256_hex(std::string_view data);

/// Base64 decoding (standard alphabet, padding optional); false for invalid text.
bool base64_decode(std::string_view in, std::string& out);

}  // namespace mock_slack
