// The timeline's URL state, URL safety and the chart geometry.

#include <algorithm>
#include <cctype>
#include <charconv>

#include "firedrill/alerting/matcher.hpp"
#include "mock_slack_ui/html.hpp"
#include "text.hpp"

namespace mock_slack::ui {
namespace {

constexpr UnixMillis kHourMs = 3'600'000;
constexpr UnixMillis kDayMs = 24 * kHourMs;
constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 500;
constexpr int kMaxRefreshSeconds = 3600;
constexpr std::size_t kMaxUrlBytes = 8192;

struct PresetName {
  RangePreset preset;
  std::string_view name;
  UnixMillis duration_ms;
};
constexpr PresetName kPresets[] = {
    {RangePreset::last_1h, "1h", kHourMs},       {RangePreset::last_6h, "6h", 6 * kHourMs},
    {RangePreset::last_24h, "24h", kDayMs},      {RangePreset::last_7d, "7d", 7 * kDayMs},
    {RangePreset::last_30d, "30d", 30 * kDayMs}, {RangePreset::custom, "custom", kDayMs},
};

bool starts_with_icase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

std::optional<int> parse_int(std::string_view text, int min, int max) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

std::string format_time_param(UnixMillis ms) {
  // Whole seconds read well in the URL and match the form's datetime-local inputs; anything finer
  // stays exact as Unix milliseconds.
  return ms % 1000 == 0 ? detail::format_datetime_local(ms) : std::to_string(ms);
}

bool is_label_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

}  // namespace

std::string_view range_name(RangePreset preset) {
  for (const auto& p : kPresets) {
    if (p.preset == preset) return p.name;
  }
  return "24h";
}

namespace {

/// Not too long, and no whitespace or control characters anywhere: browsers strip them inside
/// schemes ("java\tscript:"), and a real URL has them percent-encoded.
bool plain_url_bytes(std::string_view url) {
  if (url.size() > kMaxUrlBytes) return false;
  return std::none_of(url.begin(), url.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

}  // namespace

std::string safe_url(std::string_view url) {
  if (!plain_url_bytes(url)) return {};
  std::size_t rest = 0;
  if (starts_with_icase(url, "https://")) {
    rest = 8;
  } else if (starts_with_icase(url, "http://")) {
    rest = 7;
  } else {
    return {};
  }
  if (rest >= url.size()) return {};
  const char host_first = url[rest];
  if (host_first == '/' || host_first == '\\' || host_first == '?' || host_first == '#' ||
      host_first == '@' || host_first == ':') {
    return {};
  }
  return std::string(url);
}

std::string safe_link(std::string_view url) {
  if (starts_with_icase(url, "mailto:")) {
    return url.size() > 7 && plain_url_bytes(url) ? std::string(url) : std::string();
  }
  return safe_url(url);
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0f];
    }
  }
  return out;
}

std::string silence_url(std::string_view external_url, const LabelMap& labels) {
  std::string base = safe_url(external_url);
  if (base.empty()) return {};
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string filter = "{";
  const auto add = [&filter](const std::string& name, const std::string& value) {
    if (filter.size() > 1) filter += ',';
    filter += is_label_name(name) ? name : firedrill::alerting::quote(name);
    filter += '=';
    filter += firedrill::alerting::quote(value);
  };
  if (const auto it = labels.find("alertname"); it != labels.end()) add(it->first, it->second);
  for (const auto& [name, value] : labels) {
    if (name != "alertname") add(name, value);
  }
  filter += '}';
  return base + "/#/silences/new?filter=" + url_encode(filter);
}

ParsedTimelineQuery parse_timeline_query(const QueryParams& params) {
  ParsedTimelineQuery out;
  TimelineQuery& q = out.query;
  bool range_given = false;
  for (const auto& [name, value] : params) {
    if (name == "status") {
      if (value.empty() || value == "any") {
        q.status.reset();
      } else if (value == "firing") {
        q.status = AlertStatus::firing;
      } else if (value == "resolved") {
        q.status = AlertStatus::resolved;
      } else {
        out.error = "status: must be firing or resolved";
        return out;
      }
    } else if (name == "severity") {
      q.severity = value;
    } else if (name == "alertname") {
      q.alertname = value;
    } else if (name == "service") {
      q.service = value;
    } else if (name == "matcher") {
      if (!value.empty()) q.matchers.push_back(value);
    } else if (name == "range") {
      if (value.empty()) continue;
      // A named copy: clang 14 (the fuzz preset) cannot capture a structured binding.
      const std::string& range = value;
      const auto it = std::find_if(std::begin(kPresets), std::end(kPresets),
                                   [&range](const PresetName& p) { return p.name == range; });
      if (it == std::end(kPresets)) {
        out.error = "range: must be one of 1h, 6h, 24h, 7d, 30d, custom";
        return out;
      }
      q.range = it->preset;
      range_given = true;
    } else if (name == "since" || name == "until") {
      if (value.empty()) continue;
      const auto t = detail::parse_utc(value);
      if (!t) {
        out.error = name + ": must be a UTC time like 2026-11-21T22:00 or Unix milliseconds";
        return out;
      }
      (name == "since" ? q.since_ms : q.until_ms) = *t;
    } else if (name == "cursor") {
      q.cursor = value;
    } else if (name == "limit") {
      if (value.empty()) continue;
      const auto limit = parse_int(value, 1, kMaxLimit);
      if (!limit) {
        out.error = "limit: must be an integer from 1 to 500";
        return out;
      }
      q.limit = *limit;
    } else if (name == "refresh") {
      if (value.empty()) continue;
      const auto refresh = parse_int(value, 0, kMaxRefreshSeconds);
      if (!refresh) {
        out.error = "refresh: must be a number of seconds from 0 to 3600";
        return out;
      }
      q.refresh_seconds = *refresh;
    }
    // Unknown parameters are ignored, like the form's submit button.
  }
  if (!range_given && (q.since_ms || q.until_ms)) q.range = RangePreset::custom;
  if (q.range != RangePreset::custom) {
    // A preset wins over stale custom bounds the form still carries.
    q.since_ms.reset();
    q.until_ms.reset();
  }
  return out;
}

std::string to_query_string(const TimelineQuery& q) {
  std::string out;
  const auto add = [&out](std::string_view name, std::string_view value) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += url_encode(value);
  };
  if (q.status) add("status", to_string(*q.status));
  if (!q.severity.empty()) add("severity", q.severity);
  if (!q.alertname.empty()) add("alertname", q.alertname);
  if (!q.service.empty()) add("service", q.service);
  for (const std::string& m : q.matchers) add("matcher", m);
  if (q.range != RangePreset::last_24h) add("range", range_name(q.range));
  if (q.range == RangePreset::custom) {
    if (q.since_ms) add("since", format_time_param(*q.since_ms));
    if (q.until_ms) add("until", format_time_param(*q.until_ms));
  }
  if (q.limit != kDefaultLimit) add("limit", std::to_string(q.limit));
  if (q.refresh_seconds != 0) add("refresh", std::to_string(q.refresh_seconds));
  if (!q.cursor.empty()) add("cursor", q.cursor);
  return out;
}

TimeWindow resolve_window(const TimelineQuery& query, UnixMillis now_ms) {
  TimeWindow w;
  if (query.range != RangePreset::custom) {
    const auto it = std::find_if(std::begin(kPresets), std::end(kPresets),
                                 [&query](const PresetName& p) { return p.preset == query.range; });
    w.until_ms = now_ms;
    w.since_ms = now_ms - it->duration_ms;
    return w;
  }
  w.until_ms = query.until_ms.value_or(now_ms);
  w.since_ms = query.since_ms.value_or(w.until_ms - kDayMs);
  if (w.since_ms > w.until_ms) std::swap(w.since_ms, w.until_ms);
  if (w.since_ms == w.until_ms) w.until_ms = w.since_ms + 1000;
  return w;
}

std::optional<ChartBar> chart_bar(UnixMillis starts_at_ms, std::optional<UnixMillis> ends_at_ms,
                                  TimeWindow window, UnixMillis now_ms) {
  const UnixMillis span = window.until_ms - window.since_ms;
  if (span <= 0) return std::nullopt;
  UnixMillis end = ends_at_ms.value_or(now_ms);
  if (end < starts_at_ms) end = starts_at_ms;
  if (starts_at_ms > window.until_ms || end < window.since_ms) return std::nullopt;
  const UnixMillis from = std::max(starts_at_ms, window.since_ms);
  const UnixMillis to = std::min(end, window.until_ms);
  const double scale = kChartPlotWidth / static_cast<double>(span);
  ChartBar bar;
  bar.x = kChartPlotLeft + static_cast<double>(from - window.since_ms) * scale;
  bar.width = static_cast<double>(to - from) * scale;
  if (bar.width < kChartMinBarWidth) {
    bar.width = kChartMinBarWidth;
    bar.x = std::min(bar.x, kChartPlotLeft + kChartPlotWidth - kChartMinBarWidth);
  }
  return bar;
}

}  // namespace mock_slack::ui
