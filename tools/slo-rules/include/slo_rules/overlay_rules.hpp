#pragma once
// The rule files of one Kubernetes overlay: alert-rules/'s production rules with the links of
// that overlay (runbook_url, dashboard_url), and the external URLs its Prometheus and Alertmanager
// must be given. Pure; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "slo_rules/generator.hpp"
#include "slo_rules/spec.hpp"

namespace slo_rules {

/// `spec` with the local links replaced by the overlay's, for render_service_rules().
Spec with_overlay_links(const Spec& spec, const OverlayLinks& links);

/// A hand-written production rule file (`source_name`, e.g. "portal.rules.yml") with its links
/// moved to the overlay: on every `runbook_url:` and `dashboard_url:` line the spec's local base
/// URL becomes the overlay's. Throws SpecError naming the line when such a line does not start
/// with the local base (the alert-rules.runbooks lint requires it). Everything else stays byte
/// for byte, under a header naming the source.
std::string render_overlay_rule_file(std::string_view production, const std::string& source_name,
                                     const Spec& spec, const OverlayLinks& links);

/// The Grafana root URL of a dashboard_base_url (everything before "/d/<uid>").
std::string grafana_root_url(const std::string& dashboard_base_url);

/// The overlay's external URLs: for monitoring "standalone" an env file read by a kustomize
/// configMapGenerator (external-urls.env: PROMETHEUS_EXTERNAL_URL, ALERTMANAGER_EXTERNAL_URL,
/// GRAFANA_ROOT_URL); for "kube-prometheus-stack" a Helm values file for that chart
/// (kube-prometheus-stack-values.yaml). Returns {file name, content}.
GeneratedFile render_external_urls(const OverlayLinks& links);

/// Every file of `links.overlay`, relative to `overlay_dir` (k8s/overlays/<overlay>/generated):
/// the generated SLO rules (production scale), the hand-written rule files `hand_written` (name,
/// text) with their links moved, and render_external_urls().
std::vector<GeneratedFile> render_overlay(
    const Spec& spec, const OverlayLinks& links,
    const std::vector<std::pair<std::string, std::string>>& hand_written);

}  // namespace slo_rules
