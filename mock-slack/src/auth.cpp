#include "mock_slack/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <array>
#include <cctype>

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

ReadAuth::ReadAuth(ReadCredentials c)
    : enabled_(c.configured()), trusted_user_header_(std::move(c.trusted_user_header)) {
  const std::string proxy = trusted_user_header_ + " from the authenticating proxy";
  if (!c.bearer_token.empty()) {
    bearer_digest_ = sha256_raw(c.bearer_token);
    denial_ = {401, "Bearer realm=\"mock-slack\"",
               "missing or invalid read credentials: expected the read token (Authorization: "
               "Bearer)" +
                   (trusted_user_header_.empty() ? std::string() : " or " + proxy)};
  } else {
    denial_ = {403, "", "reads need " + proxy};
  }
}

bool ReadAuth::allows(std::string_view header, std::string_view trusted_user) const {
  if (!enabled_) return true;
  if (!trusted_user_header_.empty() && !trusted_user.empty()) return true;
  std::string_view rest;
  if (!bearer_digest_.empty() && scheme_is(header, "Bearer", rest)) {
    return digest_equal(sha256_raw(rest), bearer_digest_);
  }
  return false;
}

}  // namespace mock_slack
