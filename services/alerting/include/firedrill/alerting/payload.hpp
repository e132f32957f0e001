#pragma once
// Alertmanager's payloads: the webhook notification (version 4) and API v2's alerts and silences,
// parsed and checked within limits, with one error type naming the field. Pure; thread-safe.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "firedrill/alerting/labels.hpp"
#include "firedrill/alerting/matcher.hpp"
#include "firedrill/alerting/time.hpp"

namespace firedrill::alerting {

/// Thrown for a payload the caller got wrong. what() starts with the field path, e.g.
/// `alerts[2].startsAt: invalid RFC 3339 timestamp "yesterday"`, so it can be returned as is.
class PayloadError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class AlertStatus { firing, resolved };
std::string_view to_string(AlertStatus status);

/// Bounds on what a payload may contain. Labels are matched with regular expressions, so their
/// values are kept short; annotations (descriptions) may be longer.
struct PayloadLimits {
  std::size_t max_label_name_bytes = 1024;
  std::size_t max_label_value_bytes = 8192;
  std::size_t max_annotation_value_bytes = 65536;
  std::size_t max_alerts = 100000;
  std::size_t max_silences = 100000;
};

/// One alert of a webhook notification.
struct WebhookAlert {
  AlertStatus status = AlertStatus::firing;
  LabelSet labels;
  LabelSet annotations;
  TimePoint starts_at = kZeroTime;
  /// kZeroTime when not set. For a firing alert this is not its end (it may be in the future).
  TimePoint ends_at = kZeroTime;
  std::string generator_url;
  std::string fingerprint;  ///< from the payload, or computed from the labels when absent
};

/// Alertmanager's webhook payload, version 4. Unknown fields are ignored.
struct WebhookNotification {
  std::string version = "4";
  std::string group_key;
  std::int64_t truncated_alerts = 0;
  AlertStatus status = AlertStatus::firing;
  std::string receiver;
  LabelSet group_labels;
  LabelSet common_labels;
  LabelSet common_annotations;
  std::string external_url;
  std::vector<WebhookAlert> alerts;
};

/// An alert as Alertmanager's API v2 returns it (GET /api/v2/alerts).
struct GettableAlert {
  LabelSet labels;
  LabelSet annotations;
  TimePoint starts_at = kZeroTime;
  TimePoint ends_at = kZeroTime;
  TimePoint updated_at = kZeroTime;
  std::string fingerprint;
  std::string generator_url;
  std::vector<std::string> receivers;  ///< receiver names
  std::string state = "active";        ///< "active", "suppressed" or "unprocessed"
  std::vector<std::string> silenced_by;
  std::vector<std::string> inhibited_by;
};

/// One matcher of a silence. Kept as Alertmanager gave it, not compiled into a Matcher: a
/// silence is stored and shown, never evaluated here.
struct SilenceMatcher {
  std::string name;
  std::string value;
  MatchType type = MatchType::equal;  ///< from isRegex and isEqual
};

/// A silence as Alertmanager's API v2 returns it (GET /api/v2/silences).
struct GettableSilence {
  std::string id;
  std::string state = "active";  ///< "active", "pending" or "expired"
  TimePoint updated_at = kZeroTime;
  std::string comment;
  std::string created_by;
  TimePoint starts_at = kZeroTime;
  TimePoint ends_at = kZeroTime;
  std::vector<SilenceMatcher> matchers;
};

/// Parses a webhook body. Throws PayloadError: "malformed JSON: ..." for text that is not JSON
/// (including invalid UTF-8), or a message naming the offending field.
WebhookNotification parse_webhook(std::string_view body, const PayloadLimits& limits = {});

/// Parses an untrusted request body as JSON. Throws PayloadError "malformed JSON: ..." for
/// anything nlohmann/json refuses: a syntax error, invalid UTF-8, or a number too large for a
/// double ("1e999"), which it reports as out_of_range rather than parse_error.
nlohmann::json parse_json_body(std::string_view body);
WebhookNotification parse_webhook_json(const nlohmann::json& payload,
                                       const PayloadLimits& limits = {});

/// Parses one API v2 alert; `path` prefixes error messages (e.g. "alerts[3]").
GettableAlert parse_gettable_alert(const nlohmann::json& alert, const std::string& path,
                                   const PayloadLimits& limits = {});
/// Parses an array of API v2 alerts (the body of GET /api/v2/alerts); `path` names the array.
std::vector<GettableAlert> parse_gettable_alerts(const nlohmann::json& alerts,
                                                 const std::string& path = "alerts",
                                                 const PayloadLimits& limits = {});

/// Parses one API v2 silence; `path` prefixes error messages (e.g. "silences[3]"). `isEqual` may
/// be absent (older Alertmanagers omit it): it defaults to true.
GettableSilence parse_gettable_silence(const nlohmann::json& silence, const std::string& path,
                                       const PayloadLimits& limits = {});
/// Parses an array of API v2 silences (the body of GET /api/v2/silences); `path` names the array.
std::vector<GettableSilence> parse_gettable_silences(const nlohmann::json& silences,
                                                     const std::string& path = "silences",
                                                     const PayloadLimits& limits = {});

/// Serialisations in the same shapes (times in RFC 3339, zero time as Go writes it).
nlohmann::json to_json(const WebhookNotification& n);
nlohmann::json to_json(const WebhookAlert& a);
nlohmann::json to_json(const GettableAlert& a);
nlohmann::json to_json(const GettableSilence& s);
/// A silence's matchers as API v2 writes them: [{"name", "value", "isRegex", "isEqual"}].
nlohmann::json to_json(const std::vector<SilenceMatcher>& matchers);
nlohmann::json to_json(const LabelSet& labels);

}  // namespace firedrill::alerting
