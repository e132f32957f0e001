#include "firedrill/alerting/labels.hpp"

#include <catch2/catch.hpp>

using namespace firedrill::alerting;

TEST_CASE("fingerprints are Alertmanager's", "[labels]") {
  // Values computed with github.com/prometheus/common/model LabelSet.Fingerprint().
  CHECK(fingerprint({}) == "cbf29ce484222325");
  CHECK(fingerprint({{"alertname", "HighErrorRate"}}) ==
        fingerprint({{"alertname", "HighErrorRate"}}));
  CHECK(fingerprint({{"a", "b"}}) != fingerprint({{"a", "c"}}));
  // The separator keeps {"ab": "c"} and {"a": "bc"} apart.
  CHECK(fingerprint({{"ab", "c"}}) != fingerprint({{"a", "bc"}}));
  CHECK(fingerprint({{"x", "1"}}).size() == 16);
}

TEST_CASE("a missing label reads as empty", "[labels]") {
  LabelSet l{{"service", "portal"}};
  CHECK(label_value(l, "service") == "portal");
  CHECK(label_value(l, "team").empty());
}
