#pragma once
// auto-healer's code is written against the kit by the kit's own short names (alerting::, http::,
// log::, TimePoint, format_duration, ...), as when it lived inside namespace firedrill: the
// component is `auto_healer` (CONTRIBUTING.md's scheme), and this directive, seen by every header
// of the component, keeps those names. Declarations only; nothing here is state.

namespace firedrill {}

namespace auto_healer {
using namespace firedrill;  // NOLINT(google-build-using-namespace): the kit, by its short names
}  // namespace auto_healer
