// The forms' CSRF token, session cookie and Origin check: see csrf.hpp.
#include "mock_slack/csrf.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <stdexcept>

#include "firedrill/text.hpp"

namespace mock_slack {

namespace {

constexpr std::size_t kSessionBytes = 32;
constexpr std::size_t kSecretBytes = 32;

std::string hex(const unsigned char* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4U];
    out += kHex[data[i] & 0xFU];
  }
  return out;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

/// "host[:port]" of an absolute http(s) URL, or nullopt.
std::optional<std::string_view> authority_of(std::string_view url) {
  std::string_view rest;
  if (url.size() > 7 && iequal(url.substr(0, 7), "http://")) {
    rest = url.substr(7);
  } else if (url.size() > 8 && iequal(url.substr(0, 8), "https://")) {
    rest = url.substr(8);
  } else {
    return std::nullopt;
  }
  const auto end = rest.find_first_of("/?#");
  rest = rest.substr(0, end);
  if (rest.empty() || rest.find('@') != std::string_view::npos) return std::nullopt;
  return rest;
}

}  // namespace

void system_random_bytes(unsigned char* out, std::size_t size) {
  if (size > static_cast<std::size_t>(INT_MAX) || RAND_bytes(out, static_cast<int>(size)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
}

CsrfGuard::CsrfGuard(RandomBytes random) : random_(std::move(random)) {
  std::array<unsigned char, kSecretBytes> secret{};
  random_(secret.data(), secret.size());
  secret_.assign(reinterpret_cast<const char*>(secret.data()), secret.size());
}

std::string CsrfGuard::new_session() const {
  std::array<unsigned char, kSessionBytes> bytes{};
  random_(bytes.data(), bytes.size());
  return hex(bytes.data(), bytes.size());
}

bool CsrfGuard::valid_session(std::string_view session) {
  if (session.size() != kSessionBytes * 2) return false;
  for (char c : session) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string CsrfGuard::session_cookie(std::string_view session, bool secure) {
  return std::string(kSessionCookie) + "=" + std::string(session) +
         "; HttpOnly; SameSite=Strict; Path=/" + (secure ? "; Secure" : "");
}

std::optional<std::string> CsrfGuard::session_of(std::string_view header) {
  // Cookie: a=1; mockslack_session=...; b=2
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    while (!pair.empty() && pair.back() == ' ') pair.remove_suffix(1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != kSessionCookie) continue;
    const std::string_view value = pair.substr(eq + 1);
    if (valid_session(value)) return std::string(value);
  }
  return std::nullopt;
}

std::string CsrfGuard::mac(std::string_view session, std::string_view user,
                           std::string_view issued) const {
  // The session is 64 hex digits and `issued` decimal digits, so the user, last, cannot shift
  // the boundaries.
  const std::string message =
      std::string(session) + "\n" + std::string(issued) + "\n" + std::string(user);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
           &size) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return hex(digest.data(), size);
}

std::string CsrfGuard::token(std::string_view session, std::string_view user,
                             firedrill::alerting::TimePoint now) const {
  const std::string issued = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  return issued + "." + mac(session, user, issued);
}

std::string CsrfGuard::check(std::string_view token, std::string_view session,
                             std::string_view user, firedrill::alerting::TimePoint now) const {
  if (token.empty()) return "the form carries no CSRF token";
  const auto dot = token.find('.');
  const auto issued_text = token.substr(0, dot);
  const auto issued = dot == std::string_view::npos || issued_text.size() > 12
                          ? std::nullopt
                          : firedrill::parse_decimal<std::int64_t>(issued_text);
  if (!issued) return "the form's CSRF token is malformed";
  const std::string expected = mac(session, user, issued_text);
  const std::string_view given = token.substr(dot + 1);
  if (given.size() != expected.size() ||
      CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return "the form's CSRF token does not belong to this session and user";
  }
  const auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (*issued > now_s || now_s - *issued > kCsrfTokenMaxAge.count()) {
    return "the form has expired: reload the page and send it again";
  }
  return {};
}

std::string cross_origin_reason(std::string_view origin, std::string_view referer,
                                std::string_view host) {
  if (host.empty()) return "the request has no Host header";
  const bool from_origin = !origin.empty();
  const std::string_view source = from_origin ? origin : referer;
  if (source.empty()) {
    return "the request has neither an Origin nor a Referer header: forms are accepted from "
           "mock-slack's own pages only";
  }
  const auto authority = authority_of(source);
  if (!authority || !iequal(*authority, host)) {
    return std::string(from_origin ? "Origin " : "Referer ") + "\"" + firedrill::cut(source) +
           "\" is not this site (" + firedrill::cut(host) +
           "): forms are accepted from mock-slack's own pages only";
  }
  return {};
}

}  // namespace mock_slack
