#pragma once
// The rows of the exports (export_api.cpp): an incident with its summary and events, or an
// occurrence, as one NDJSON line or one CSV record (RFC 4180: CRLF line ends, a field quoted
// when it holds a quote, comma, CR or LF, quotes doubled), and the CSV header rows. A text cell
// that a spreadsheet would read as a formula (it starts with =, +, -, @, a tab or a CR) is
// prefixed with a single quote (OWASP's CSV-injection advice). Pure; thread-safe. Internal to
// mock-slack.

#include <string>
#include <string_view>
#include <vector>

#include "mock_slack/incident_events.hpp"
#include "mock_slack/store.hpp"

namespace mock_slack::export_rows {

/// One CSV field, quoted and neutralised as above.
std::string csv_field(std::string_view text);

/// The header rows, CRLF-terminated.
std::string incident_csv_header();
std::string alert_csv_header();

/// Appends one line (NDJSON, "\n") or record (CSV, CRLF) to `out`.
void incident_ndjson(std::string& out, const Incident& i, const std::vector<IncidentEvent>& events);
void incident_csv(std::string& out, const Incident& i, const std::vector<IncidentEvent>& events);
void alert_ndjson(std::string& out, const Occurrence& o);
void alert_csv(std::string& out, const Occurrence& o);

}  // namespace mock_slack::export_rows
