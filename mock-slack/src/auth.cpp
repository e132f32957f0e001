#include "mock_slack/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <cctype>
#include <set>
#include <stdexcept>

namespace mock_slack {

namespace {

std::string sha256_raw(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

bool digest_equal(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool scheme_is(std::string_view header, std::string_view scheme, std::string_view& rest) {
  if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(scheme[i]))) {
      return false;
    }
  }
  rest = header.substr(scheme.size() + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return true;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string raw = sha256_raw(data);
  std::string out;
  out.reserve(raw.size() * 2);
  for (char c : raw) {
    const auto b = static_cast<unsigned char>(c);
    out += kHex[b >> 4U];
    out += kHex[b & 0xFU];
  }
  return out;
}

bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    std::uint32_t v = 0;
    if (c >= 'A' && c <= 'Z') {
      v = static_cast<std::uint32_t>(c - 'A');
    } else if (c >= 'a' && c <= 'z') {
      v = static_cast<std::uint32_t>(c - 'a' + 26);
    } else if (c >= '0' && c <= '9') {
      v = static_cast<std::uint32_t>(c - '0' + 52);
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else {
      return false;
    }
    buffer = (buffer << 6U) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  return bits < 6;  // a single leftover symbol cannot encode a byte
}

WebhookAuth::WebhookAuth(const Credentials& c) {
  bearer_ = !c.bearer_token.empty();
  basic_ = !c.basic_user_pass.empty();
  enabled_ = bearer_ || basic_;
  if (bearer_) bearer_digest_ = sha256_raw(c.bearer_token);
  if (basic_) basic_digest_ = sha256_raw(c.basic_user_pass);
}

bool WebhookAuth::allows(std::string_view header) const {
  if (!enabled_) return true;
  std::string_view rest;
  if (bearer_ && scheme_is(header, "Bearer", rest)) {
    return digest_equal(sha256_raw(rest), bearer_digest_);
  }
  if (basic_ && scheme_is(header, "Basic", rest)) {
    std::string decoded;
    if (!base64_decode(rest, decoded)) return false;
    return digest_equal(sha256_raw(decoded), basic_digest_);
  }
  return false;
}

std::vector<std::pair<std::string, std::string>> parse_ui_users(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> users;
  std::set<std::string, std::less<>> seen;
  int number = 0;
  while (!text.empty() || number == 0) {
    ++number;
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const auto colon = line.find(':');
    const std::string where = "line " + std::to_string(number) + ": ";
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == line.size()) {
      throw std::invalid_argument(where + "expected user:password");
    }
    const std::string_view user = line.substr(0, colon);
    for (char ch : user) {
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
        throw std::invalid_argument(where + "the user name holds a control character");
      }
    }
    if (!seen.insert(std::string(user)).second) {
      throw std::invalid_argument(where + "user \"" + std::string(user) + "\" appears twice");
    }
    users.emplace_back(std::string(user), std::string(line.substr(colon + 1)));
  }
  if (users.empty()) throw std::invalid_argument("no user:password line");
  return users;
}

ReadAuth::ReadAuth(ReadCredentials c)
    : enabled_(c.configured()),
      anonymous_(c.anonymous_read && c.configured()),
      trusted_user_header_(std::move(c.trusted_user_header)) {
  for (const auto& [user, password] : c.ui_users) {
    ui_users_.emplace_back(user, sha256_raw(user + ":" + password));
  }
  std::vector<std::string> accepted;
  if (!c.bearer_token.empty()) accepted.emplace_back("the read token (Authorization: Bearer)");
  if (!ui_users_.empty()) accepted.emplace_back("a UI user's basic auth (--ui-basic-auth-file)");
  if (!trusted_user_header_.empty()) {
    accepted.push_back(trusted_user_header_ + " from the authenticating proxy");
  }
  std::string list;
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    list += (i == 0 ? "" : i + 1 == accepted.size() ? " or " : ", ") + accepted[i];
  }
  if (!c.bearer_token.empty()) bearer_digest_ = sha256_raw(c.bearer_token);
  if (!ui_users_.empty()) {
    denial_ = {401, "Basic realm=\"mock-slack\", charset=\"UTF-8\"",
               "missing or invalid read credentials: expected " + list};
  } else if (!c.bearer_token.empty()) {
    denial_ = {401, "Bearer realm=\"mock-slack\"",
               "missing or invalid read credentials: expected " + list};
  } else {
    denial_ = {403, "", "reads need " + list};
  }
}

bool ReadAuth::allows(std::string_view header, std::string_view trusted_user) const {
  if (!enabled_) return true;
  if (!trusted_user_header_.empty() && !trusted_user.empty()) return true;
  if (header.empty()) return anonymous_;
  std::string_view rest;
  if (!bearer_digest_.empty() && scheme_is(header, "Bearer", rest)) {
    return digest_equal(sha256_raw(rest), bearer_digest_);
  }
  return !ui_users_.empty() && !user(header, {}).empty();
}

std::string ReadAuth::user(std::string_view header, std::string_view trusted_user) const {
  if (!trusted_user_header_.empty() && !trusted_user.empty()) return std::string(trusted_user);
  std::string_view rest;
  std::string decoded;
  if (ui_users_.empty() || !scheme_is(header, "Basic", rest) || !base64_decode(rest, decoded)) {
    return {};
  }
  // Every entry is compared, so the time taken does not say which user matched.
  const std::string digest = sha256_raw(decoded);
  const std::string* found = nullptr;
  for (const auto& [name, user_digest] : ui_users_) {
    if (digest_equal(digest, user_digest)) found = &name;
  }
  return found != nullptr ? *found : std::string();
}

}  // namespace mock_slack
