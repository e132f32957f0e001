#include "firedrill/alerting/payload.hpp"

#include <nlohmann/json.hpp>

namespace firedrill::alerting {

using nlohmann::json;

std::string_view to_string(AlertStatus status) {
  return status == AlertStatus::firing ? "firing" : "resolved";
}

namespace {

// Values echoed in error messages are cut, so a hostile value cannot flood logs or responses.
std::string excerpt(std::string_view s) {
  constexpr std::size_t kMax = 64;
  if (s.size() <= kMax) return std::string(s);
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U) --cut;  // UTF-8
  return std::string(s.substr(0, cut)) + "...";
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw PayloadError(path + ": " + what);
}

std::string type_name(const json& j) {
  if (j.is_number()) return "number";
  return j.type_name();
}

const json* field(const json& obj, const char* name, const std::string& path, bool required) {
  auto it = obj.find(name);
  if (it == obj.end() || (!required && it->is_null())) {
    if (required) fail(path.empty() ? name : path + "." + name, "required field is missing");
    return nullptr;
  }
  return &*it;
}

std::string join(const std::string& path, const char* name) {
  return path.empty() ? std::string(name) : path + "." + name;
}

std::string string_field(const json& obj, const char* name, const std::string& path, bool required,
                         std::size_t max_bytes = 65536) {
  const json* v = field(obj, name, path, required);
  if (v == nullptr) return {};
  if (!v->is_string()) fail(join(path, name), "expected a string, got " + type_name(*v));
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    fail(join(path, name), "value is " + std::to_string(s.size()) +
                               " bytes, longer than the limit of " + std::to_string(max_bytes));
  }
  return s;
}

LabelSet label_set(const json& obj, const char* name, const std::string& path, bool required,
                   std::size_t max_value_bytes, const PayloadLimits& limits) {
  const json* v = field(obj, name, path, required);
  LabelSet out;
  if (v == nullptr) return out;
  const std::string p = join(path, name);
  if (!v->is_object()) fail(p, "expected an object of strings, got " + type_name(*v));
  for (const auto& [key, value] : v->items()) {
    if (key.empty()) fail(p, "empty label name");
    if (key.size() > limits.max_label_name_bytes) {
      fail(p + "." + excerpt(key), "name is " + std::to_string(key.size()) +
                                       " bytes, longer than the limit of " +
                                       std::to_string(limits.max_label_name_bytes));
    }
    if (!value.is_string()) fail(p + "." + key, "expected a string, got " + type_name(value));
    const auto& s = value.get_ref<const std::string&>();
    if (s.size() > max_value_bytes) {
      fail(p + "." + key, "value is " + std::to_string(s.size()) +
                              " bytes, longer than the limit of " +
                              std::to_string(max_value_bytes));
    }
    out.emplace(key, s);
  }
  return out;
}

TimePoint time_field(const json& obj, const char* name, const std::string& path, bool required) {
  const json* v = field(obj, name, path, required);
  if (v == nullptr) return kZeroTime;
  if (!v->is_string()) fail(join(path, name), "expected a string, got " + type_name(*v));
  const auto& s = v->get_ref<const std::string&>();
  auto t = parse_time(s);
  if (!t) fail(join(path, name), "invalid RFC 3339 timestamp \"" + excerpt(s) + "\"");
  return *t;
}

/// A required time that must be set (not Go's zero time).
TimePoint set_time_field(const json& obj, const char* name, const std::string& path) {
  TimePoint t = time_field(obj, name, path, true);
  if (t == kZeroTime) fail(join(path, name), "must not be the zero time");
  return t;
}

AlertStatus status_field(const json& obj, const std::string& path) {
  std::string s = string_field(obj, "status", path, true);
  if (s == "firing") return AlertStatus::firing;
  if (s == "resolved") return AlertStatus::resolved;
  fail(join(path, "status"), "expected \"firing\" or \"resolved\", got \"" + excerpt(s) + "\"");
}

std::string fingerprint_field(const json& obj, const std::string& path, const LabelSet& labels) {
  std::string fp = string_field(obj, "fingerprint", path, false, 256);
  if (fp.empty()) {
    const json* v = field(obj, "fingerprint", path, false);
    if (v != nullptr) fail(join(path, "fingerprint"), "must not be empty");
    return fingerprint(labels);
  }
  return fp;
}

void require_object(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object, got " + type_name(j));
}

WebhookAlert webhook_alert(const json& a, const std::string& path, const PayloadLimits& limits) {
  require_object(a, path);
  WebhookAlert out;
  out.status = status_field(a, path);
  out.labels = label_set(a, "labels", path, true, limits.max_label_value_bytes, limits);
  out.annotations =
      label_set(a, "annotations", path, false, limits.max_annotation_value_bytes, limits);
  out.starts_at = set_time_field(a, "startsAt", path);
  out.ends_at = time_field(a, "endsAt", path, false);
  if (out.status == AlertStatus::resolved) {
    if (out.ends_at == kZeroTime)
      fail(join(path, "endsAt"), "required when status is \"resolved\"");
    if (out.ends_at < out.starts_at) fail(join(path, "endsAt"), "is before startsAt");
  }
  out.generator_url = string_field(a, "generatorURL", path, false);
  out.fingerprint = fingerprint_field(a, path, out.labels);
  return out;
}

bool bool_field(const json& obj, const char* name, const std::string& path, bool required,
                bool fallback) {
  const json* v = field(obj, name, path, required);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) fail(join(path, name), "expected a boolean, got " + type_name(*v));
  return v->get<bool>();
}

/// Fails unless `array` is a JSON array of at most `max` elements; `what` names them.
void require_array(const json& array, const std::string& path, std::size_t max, const char* what) {
  if (!array.is_array()) fail(path, "expected an array, got " + type_name(array));
  if (array.size() > max) {
    fail(path, std::to_string(array.size()) + " " + what + ", more than the limit of " +
                   std::to_string(max));
  }
}

SilenceMatcher silence_matcher(const json& m, const std::string& path,
                               const PayloadLimits& limits) {
  require_object(m, path);
  SilenceMatcher out;
  out.name = string_field(m, "name", path, true, limits.max_label_name_bytes);
  if (out.name.empty()) fail(join(path, "name"), "must not be empty");
  out.value = string_field(m, "value", path, true, limits.max_label_value_bytes);
  const bool regex = bool_field(m, "isRegex", path, true, false);
  const bool equal = bool_field(m, "isEqual", path, false, true);
  out.type = regex ? (equal ? MatchType::regex : MatchType::not_regex)
                   : (equal ? MatchType::equal : MatchType::not_equal);
  return out;
}

std::vector<std::string> string_array(const json& obj, const char* name, const std::string& path) {
  std::vector<std::string> out;
  const json* v = field(obj, name, path, false);
  if (v == nullptr) return out;
  const std::string p = join(path, name);
  if (!v->is_array()) fail(p, "expected an array of strings, got " + type_name(*v));
  for (std::size_t i = 0; i < v->size(); ++i) {
    const json& e = (*v)[i];
    if (!e.is_string()) {
      fail(p + "[" + std::to_string(i) + "]", "expected a string, got " + type_name(e));
    }
    out.push_back(e.get<std::string>());
  }
  return out;
}

}  // namespace

WebhookNotification parse_webhook(std::string_view body, const PayloadLimits& limits) {
  json j;
  try {
    j = json::parse(body.begin(), body.end());
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number too large for a double (found by fuzzing).
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 2: ...".
    std::string what = e.what();
    auto pos = what.find("] ");
    throw PayloadError("malformed JSON: " +
                       (pos == std::string::npos ? what : what.substr(pos + 2)));
  }
  return parse_webhook_json(j, limits);
}

WebhookNotification parse_webhook_json(const json& j, const PayloadLimits& limits) {
  if (!j.is_object()) fail("payload", "expected a JSON object, got " + type_name(j));
  WebhookNotification n;
  n.version = string_field(j, "version", "", true);
  if (n.version != "4") {
    fail("version", "unsupported version \"" + excerpt(n.version) + "\" (expected \"4\")");
  }
  n.group_key = string_field(j, "groupKey", "", true);
  if (const json* t = field(j, "truncatedAlerts", "", false)) {
    if (!t->is_number_integer() || (t->is_number_integer() && t->get<std::int64_t>() < 0)) {
      fail("truncatedAlerts",
           "expected a non-negative integer, got " + (t->is_number() ? t->dump() : type_name(*t)));
    }
    n.truncated_alerts = t->get<std::int64_t>();
  }
  n.status = status_field(j, "");
  n.receiver = string_field(j, "receiver", "", true, 1024);
  if (n.receiver.empty()) fail("receiver", "must not be empty");
  n.group_labels = label_set(j, "groupLabels", "", false, limits.max_label_value_bytes, limits);
  n.common_labels = label_set(j, "commonLabels", "", false, limits.max_label_value_bytes, limits);
  n.common_annotations =
      label_set(j, "commonAnnotations", "", false, limits.max_annotation_value_bytes, limits);
  n.external_url = string_field(j, "externalURL", "", false);
  const json* alerts = field(j, "alerts", "", true);
  if (!alerts->is_array()) fail("alerts", "expected an array, got " + type_name(*alerts));
  if (alerts->size() > limits.max_alerts) {
    fail("alerts", std::to_string(alerts->size()) + " alerts, more than the limit of " +
                       std::to_string(limits.max_alerts));
  }
  n.alerts.reserve(alerts->size());
  for (std::size_t i = 0; i < alerts->size(); ++i) {
    n.alerts.push_back(webhook_alert((*alerts)[i], "alerts[" + std::to_string(i) + "]", limits));
  }
  return n;
}

GettableAlert parse_gettable_alert(const json& a, const std::string& path,
                                   const PayloadLimits& limits) {
  require_object(a, path);
  GettableAlert out;
  out.labels = label_set(a, "labels", path, true, limits.max_label_value_bytes, limits);
  out.annotations =
      label_set(a, "annotations", path, false, limits.max_annotation_value_bytes, limits);
  out.starts_at = set_time_field(a, "startsAt", path);
  out.ends_at = time_field(a, "endsAt", path, false);
  out.updated_at = time_field(a, "updatedAt", path, false);
  out.generator_url = string_field(a, "generatorURL", path, false);
  out.fingerprint = fingerprint_field(a, path, out.labels);
  if (const json* r = field(a, "receivers", path, false)) {
    const std::string p = join(path, "receivers");
    if (!r->is_array()) fail(p, "expected an array, got " + type_name(*r));
    for (std::size_t i = 0; i < r->size(); ++i) {
      const std::string rp = p + "[" + std::to_string(i) + "]";
      require_object((*r)[i], rp);
      out.receivers.push_back(string_field((*r)[i], "name", rp, true, 1024));
    }
  }
  const json* status = field(a, "status", path, true);
  const std::string sp = join(path, "status");
  require_object(*status, sp);
  out.state = string_field(*status, "state", sp, true);
  if (out.state != "active" && out.state != "suppressed" && out.state != "unprocessed") {
    fail(sp + ".state", "expected \"active\", \"suppressed\" or \"unprocessed\", got \"" +
                            excerpt(out.state) + "\"");
  }
  out.silenced_by = string_array(*status, "silencedBy", sp);
  out.inhibited_by = string_array(*status, "inhibitedBy", sp);
  return out;
}

std::vector<GettableAlert> parse_gettable_alerts(const json& alerts, const std::string& path,
                                                 const PayloadLimits& limits) {
  require_array(alerts, path, limits.max_alerts, "alerts");
  std::vector<GettableAlert> out;
  out.reserve(alerts.size());
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    out.push_back(parse_gettable_alert(alerts[i], path + "[" + std::to_string(i) + "]", limits));
  }
  return out;
}

GettableSilence parse_gettable_silence(const json& s, const std::string& path,
                                       const PayloadLimits& limits) {
  require_object(s, path);
  GettableSilence out;
  out.id = string_field(s, "id", path, true, 256);
  if (out.id.empty()) fail(join(path, "id"), "must not be empty");
  const json* status = field(s, "status", path, true);
  const std::string sp = join(path, "status");
  require_object(*status, sp);
  out.state = string_field(*status, "state", sp, true);
  if (out.state != "active" && out.state != "pending" && out.state != "expired") {
    fail(sp + ".state",
         "expected \"active\", \"pending\" or \"expired\", got \"" + excerpt(out.state) + "\"");
  }
  out.updated_at = set_time_field(s, "updatedAt", path);
  out.comment = string_field(s, "comment", path, true, limits.max_annotation_value_bytes);
  out.created_by = string_field(s, "createdBy", path, true, 1024);
  out.starts_at = set_time_field(s, "startsAt", path);
  out.ends_at = set_time_field(s, "endsAt", path);
  const json* matchers = field(s, "matchers", path, true);
  const std::string mp = join(path, "matchers");
  if (!matchers->is_array()) fail(mp, "expected an array, got " + type_name(*matchers));
  out.matchers.reserve(matchers->size());
  for (std::size_t i = 0; i < matchers->size(); ++i) {
    out.matchers.push_back(
        silence_matcher((*matchers)[i], mp + "[" + std::to_string(i) + "]", limits));
  }
  return out;
}

std::vector<GettableSilence> parse_gettable_silences(const json& silences, const std::string& path,
                                                     const PayloadLimits& limits) {
  require_array(silences, path, limits.max_silences, "silences");
  std::vector<GettableSilence> out;
  out.reserve(silences.size());
  for (std::size_t i = 0; i < silences.size(); ++i) {
    out.push_back(
        parse_gettable_silence(silences[i], path + "[" + std::to_string(i) + "]", limits));
  }
  return out;
}

json to_json(const LabelSet& labels) {
  json out = json::object();
  for (const auto& [k, v] : labels) out[k] = v;
  return out;
}

json to_json(const WebhookAlert& a) {
  return json{{"status", to_string(a.status)},         {"labels", to_json(a.labels)},
              {"annotations", to_json(a.annotations)}, {"startsAt", format_time(a.starts_at)},
              {"endsAt", format_time(a.ends_at)},      {"generatorURL", a.generator_url},
              {"fingerprint", a.fingerprint}};
}

json to_json(const WebhookNotification& n) {
  json alerts = json::array();
  for (const auto& a : n.alerts) alerts.push_back(to_json(a));
  return json{{"version", n.version},
              {"groupKey", n.group_key},
              {"truncatedAlerts", n.truncated_alerts},
              {"status", to_string(n.status)},
              {"receiver", n.receiver},
              {"groupLabels", to_json(n.group_labels)},
              {"commonLabels", to_json(n.common_labels)},
              {"commonAnnotations", to_json(n.common_annotations)},
              {"externalURL", n.external_url},
              {"alerts", std::move(alerts)}};
}

json to_json(const GettableAlert& a) {
  json receivers = json::array();
  for (const auto& r : a.receivers) receivers.push_back({{"name", r}});
  return json{
      {"labels", to_json(a.labels)},
      {"annotations", to_json(a.annotations)},
      {"startsAt", format_time(a.starts_at)},
      {"endsAt", format_time(a.ends_at)},
      {"updatedAt", format_time(a.updated_at)},
      {"fingerprint", a.fingerprint},
      {"generatorURL", a.generator_url},
      {"receivers", std::move(receivers)},
      {"status",
       {{"state", a.state}, {"silencedBy", a.silenced_by}, {"inhibitedBy", a.inhibited_by}}}};
}

json to_json(const std::vector<SilenceMatcher>& matchers) {
  json out = json::array();
  for (const auto& m : matchers) {
    out.push_back({{"name", m.name},
                   {"value", m.value},
                   {"isRegex", m.type == MatchType::regex || m.type == MatchType::not_regex},
                   {"isEqual", m.type == MatchType::equal || m.type == MatchType::regex}});
  }
  return out;
}

json to_json(const GettableSilence& s) {
  return json{{"id", s.id},
              {"status", {{"state", s.state}}},
              {"updatedAt", format_time(s.updated_at)},
              {"comment", s.comment},
              {"createdBy", s.created_by},
              {"startsAt", format_time(s.starts_at)},
              {"endsAt", format_time(s.ends_at)},
              {"matchers", to_json(s.matchers)}};
}

}  // namespace firedrill::alerting
