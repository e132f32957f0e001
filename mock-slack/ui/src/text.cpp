#include "text.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "firedrill/alerting/time.hpp"

namespace mock_slack::ui::detail {
namespace {

struct Civil {
  std::int64_t year;
  unsigned month, day, hour, minute, second;
};

Civil civil_from_ms(UnixMillis ms) {
  std::int64_t secs = ms / 1000;
  if (ms % 1000 < 0) --secs;
  std::int64_t days = secs / 86400;
  std::int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const auto date = firedrill::alerting::civil_from_days(days);
  const auto r = static_cast<unsigned>(rem);
  return {date.year, date.month, date.day, r / 3600, (r / 60) % 60, r % 60};
}

bool read_uint(std::string_view text, std::size_t pos, std::size_t len, unsigned& out) {
  if (pos + len > text.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(text[i] - '0');
  }
  return true;
}

}  // namespace

std::string format_utc(UnixMillis ms) {
  const Civil c = civil_from_ms(ms);
  std::array<char, 48> buf{};
  std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02u %02u:%02u:%02uZ",
                static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second);
  return buf.data();
}

std::string format_datetime_local(UnixMillis ms) {
  const Civil c = civil_from_ms(ms);
  std::array<char, 48> buf{};
  if (c.second != 0 || ms % 1000 != 0) {
    std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02u:%02u:%02u",
                  static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute, c.second);
  } else {
    std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02uT%02u:%02u",
                  static_cast<long long>(c.year), c.month, c.day, c.hour, c.minute);
  }
  return buf.data();
}

std::optional<UnixMillis> parse_utc(std::string_view text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    UnixMillis value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    return value;
  }
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) text.remove_suffix(1);
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  if (text.size() < 16 || !read_uint(text, 0, 4, year) || text[4] != '-' ||
      !read_uint(text, 5, 2, month) || text[7] != '-' || !read_uint(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != ' ') || !read_uint(text, 11, 2, hour) || text[13] != ':' ||
      !read_uint(text, 14, 2, minute)) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < text.size()) {
    if (text[pos] != ':' || !read_uint(text, pos + 1, 2, second)) return std::nullopt;
    pos += 3;
    if (pos < text.size()) {
      if (text[pos] != '.' || text.size() - pos - 1 < 1 || text.size() - pos - 1 > 9) {
        return std::nullopt;
      }
      unsigned frac = 0;
      const std::size_t digits = text.size() - pos - 1;
      if (!read_uint(text, pos + 1, digits, frac)) return std::nullopt;
      // Keep milliseconds: scale the fraction to three digits.
      for (std::size_t i = digits; i < 3; ++i) frac *= 10;
      for (std::size_t i = 3; i < digits; ++i) frac /= 10;
      millis = frac;
    }
  }
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 ||
      second > 59) {
    return std::nullopt;
  }
  if (day > firedrill::alerting::days_in_month(year, month)) return std::nullopt;
  const std::int64_t days = firedrill::alerting::days_from_civil(year, month, day);
  return ((days * 24 + hour) * 60 + minute) * 60'000 + static_cast<std::int64_t>(second) * 1000 +
         millis;
}

std::string format_duration(UnixMillis ms) {
  if (ms < 0) ms = 0;
  const std::int64_t total = ms / 1000;
  const std::int64_t d = total / 86400, h = (total / 3600) % 24, m = (total / 60) % 60,
                     s = total % 60;
  std::string out;
  const auto add = [&out](std::int64_t v, const char* unit) {
    if (!out.empty()) out += ' ';
    out += std::to_string(v);
    out += unit;
  };
  if (d > 0) {
    add(d, "d");
    add(h, "h");
    add(m, "m");
  } else if (h > 0) {
    add(h, "h");
    add(m, "m");
    add(s, "s");
  } else if (m > 0) {
    add(m, "m");
    add(s, "s");
  } else {
    add(s, "s");
  }
  return out;
}

std::string format_fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%.*f", decimals, value);
  std::string out = buf.data();
  if (out == "-0.00" || out == "-0.0" || out == "-0") out.erase(0, 1);
  return out;
}

}  // namespace mock_slack::ui::detail
