#pragma once
// The portal's settings: its defaults for the common service settings, and its own flags (faults
// at start, the seed, the fault file, the work cap) with their environment variables, into
// PortalConfig. Not thread-safe: used once, at start.

#include "firedrill/service.hpp"
#include "portal/portal.hpp"

namespace CLI {
class App;  // CLI/CLI.hpp, included only where a command line is built
}  // namespace CLI

namespace portal {

/// The portal's defaults for the common settings: API on 127.0.0.1:8080, ops on 127.0.0.1:8081,
/// and a shutdown timeout longer than the largest injected delay.
firedrill::CommonSettings default_settings();

/// Registers the portal's own flags on `app` (faults at start, --seed, --fault-file,
/// --work-cap-ms) with their environment variables. PORTAL_ADMIN_TOKEN is read from the
/// environment only (a flag would show the token in the process list): see admin_token_from_env().
void add_portal_options(CLI::App& app, PortalConfig& config);

/// The value of PORTAL_ADMIN_TOKEN, or empty.
std::string admin_token_from_env();

}  // namespace portal
