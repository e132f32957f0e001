// The link check and the dashboard check must reject what they claim to: each test breaks one link
// (or one shipped dashboard) of a real rendering and asserts the exact complaint; the unbroken
// renderings are the positive controls.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { linkErrors, renderedAlerts } from "../lib/links.mjs";
import { dashboardErrors } from "../lib/dashboards.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const k8s = path.resolve(here, "../..");
const repoRoot = path.resolve(k8s, "..");
const render = (overlay) => yaml.loadAll(execFileSync(path.join(k8s, "render"), [overlay], { encoding: "utf8", maxBuffer: 64 << 20 })).filter(Boolean);
const standalone = render("standalone");
const operator = render("operator");
const clone = (x) => structuredClone(x);
const links = (objects, extra = {}) => linkErrors(objects, { repoRoot, ...extra }).errors;
const get = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata.name.startsWith(name));

/** Rewrites one annotation of alert `alert` in the standalone rules ConfigMap. */
function withAnnotation(objects, alert, key, value) {
  const cm = get(objects, "ConfigMap", "prometheus-rules");
  for (const [file, text] of Object.entries(cm.data)) {
    const parsed = yaml.load(text);
    let changed = false;
    for (const g of parsed.groups) for (const r of g.rules) if (r.alert === alert) ((r.annotations[key] = value), (changed = true));
    if (changed) cm.data[file] = yaml.dump(parsed);
  }
  return objects;
}

test("every link of the standalone and operator renderings works (positive controls)", () => {
  assert.deepEqual(links(standalone), []);
  assert.deepEqual(links(operator), []);
  assert.deepEqual(dashboardErrors(standalone, repoRoot), []);
  assert.deepEqual(dashboardErrors(operator, repoRoot), []);
  assert.ok(renderedAlerts(standalone).length > 20);
});

test("a runbook link to loopback, to a missing runbook or to another alert's runbook is rejected", () => {
  const where = "ConfigMap/firedrill/prometheus-rules";
  for (const [value, expected] of [
    ["http://127.0.0.1:8090/runbooks/PortalDown", "runbook_url: http://127.0.0.1:8090/runbooks/PortalDown points at loopback: in a pod that is the pod itself"],
    ["http://mock-slack.firedrill.svc.cluster.local:8090/runbooks/PortalGone", "runbooks/PortalGone.md does not exist"],
    ["http://mock-slack.firedrill.svc.cluster.local:8090/runbooks/PortalNotReady", "is the runbook of PortalNotReady, not of PortalDown"],
    ["http://mock-slack.firedrill.svc.cluster.local:9999/runbooks/PortalDown", "Service firedrill/mock-slack has no port 9999"],
    ["http://mock-slack.elsewhere.svc:8090/runbooks/PortalDown", "Service elsewhere/mock-slack is not rendered"],
    ["http://wiki.example.com/PortalDown", "host wiki.example.com is not a Service name"],
    ["http://grafana.firedrill.svc.cluster.local:3000/runbooks/PortalDown", "reaches grafana, not mock-slack"],
  ]) {
    const errors = links(withAnnotation(clone(standalone), "PortalDown", "runbook_url", value));
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.ok(errors[0].startsWith(where) && errors[0].includes("alert PortalDown") && errors[0].includes(expected), `${errors[0]}\nexpected ${expected}`);
  }
});

test("a dashboard link to an unknown uid, or to a dashboard the rendering does not ship, is rejected", () => {
  let errors = links(withAnnotation(clone(standalone), "PortalAvailabilityBudgetBurn", "dashboard_url", "http://grafana.firedrill.svc.cluster.local:3000/d/firedrill-nope"));
  assert.ok(errors.length >= 1 && errors.every((e) => e.endsWith("no dashboard of dashboards/ has uid firedrill-nope")), errors.join("\n"));
  const objects = clone(standalone);
  delete get(objects, "ConfigMap", "grafana-dashboards").data["slo.json"];
  errors = links(objects);
  assert.ok(errors.length >= 1 && errors.every((e) => e.endsWith("dashboard firedrill-slo is not shipped by this rendering")), errors.join("\n"));
});

test("an operator link must be a rendered Service or one of kube-prometheus-stack's", () => {
  const objects = clone(operator);
  const rule = objects.find((o) => o.kind === "PrometheusRule" && o.metadata.name === "firedrill-slo-portal-rules");
  rule.spec.groups[0].rules.find((r) => r.alert).annotations.dashboard_url = "http://grafana.monitoring.svc:3000/d/firedrill-slo";
  assert.deepEqual(links(objects).map((e) => e.split(": ").slice(-1)[0]), ["http://grafana.monitoring.svc:3000/d/firedrill-slo Service monitoring/grafana is not rendered and is not one of kube-prometheus-stack's"]);
  const extra = { extraUrls: [{ where: "values", url: "http://kube-prometheus-stack-prometheus.monitoring.svc:80", app: "prometheus" }] };
  assert.deepEqual(links(operator, extra), ["values: http://kube-prometheus-stack-prometheus.monitoring.svc:80 Service monitoring/kube-prometheus-stack-prometheus (kube-prometheus-stack) listens on 9090, not 80"]);
});

test("external URLs must reach their own Service, without a path", () => {
  const objects = clone(standalone);
  const cm = get(objects, "ConfigMap", "external-urls");
  cm.data.PROMETHEUS_EXTERNAL_URL = "http://127.0.0.1:9090";
  cm.data.ALERTMANAGER_EXTERNAL_URL = "http://prometheus.firedrill.svc.cluster.local:9090";
  cm.data.GRAFANA_ROOT_URL = "http://grafana.firedrill.svc.cluster.local:3000/grafana";
  assert.deepEqual(links(objects).sort(), [
    "Deployment/firedrill/alertmanager: container alertmanager --web.external-url: http://prometheus.firedrill.svc.cluster.local:9090 reaches prometheus, not alertmanager",
    "Deployment/firedrill/grafana: container grafana GF_SERVER_ROOT_URL: http://grafana.firedrill.svc.cluster.local:3000/grafana has a path: the routes would move under it",
    "StatefulSet/firedrill/prometheus: container prometheus --web.external-url: http://127.0.0.1:9090 points at loopback: in a pod that is the pod itself",
  ].sort());
});

test("the local stack's links must stay on loopback", () => {
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "prometheus-rules" }, data: { "x.rules.yml": "groups:\n  - name: x\n    rules:\n      - alert: PortalDown\n        expr: vector(1)\n        annotations:\n          runbook_url: http://mock-slack.firedrill.svc:8090/runbooks/PortalDown\n" } };
  assert.deepEqual(links([cm], { local: true }), ["ConfigMap/prometheus-rules x.rules.yml: alert PortalDown runbook_url: http://mock-slack.firedrill.svc:8090/runbooks/PortalDown does not point at loopback, where the local stack listens"]);
});

test("every dashboard must reach the Grafana, verbatim, and nothing else", () => {
  let objects = clone(operator);
  objects = objects.filter((o) => o.metadata.name !== "firedrill-dashboard-batch-sync");
  get(objects, "ConfigMap", "firedrill-dashboard-slo").data["slo.json"] += " ";
  assert.deepEqual(dashboardErrors(objects, repoRoot).map((e) => `${e.object}: ${e.message}`), [
    "ConfigMap/firedrill/firedrill-dashboard-slo: slo.json differs from dashboards/slo.json",
    "grafana_dashboard ConfigMaps: dashboards/batch-sync.json is not shipped",
  ]);
  objects = clone(standalone);
  const ds = get(objects, "ConfigMap", "grafana-datasources");
  ds.data["prometheus.yaml"] = ds.data["prometheus.yaml"].replace("prometheus.firedrill.svc.cluster.local:9090", "prometheus.firedrill.svc.cluster.local:9091").replace("isDefault: true", "isDefault: false");
  get(objects, "ConfigMap", "grafana-dashboard-providers").data["firedrill.yaml"] += "# edited\n";
  assert.deepEqual(dashboardErrors(objects, repoRoot).map((e) => e.message), [
    "firedrill.yaml differs from dashboards/provisioning/dashboards/firedrill.yaml",
    "prometheus.yaml differs from dashboards/provisioning/datasources/prometheus.yaml in more than its url",
    "prometheus.yaml: data source url http://prometheus.firedrill.svc.cluster.local:9091 is not a port of a rendered Prometheus Service",
  ]);
  assert.deepEqual(dashboardErrors(objects.filter((o) => o.metadata.name !== "grafana"), repoRoot).map((e) => e.message), ["ships no dashboards: no Grafana and no ConfigMap labelled grafana_dashboard=1"]);
});

test("an overlay's rule files may differ from alert-rules/ in their links only", async () => {
  const { loadSources } = await import("../lib/rules.mjs");
  const fs = await import("node:fs");
  const os = await import("node:os");
  const fixtures = path.join(here, "fixtures/alert-rules");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "firedrill-linked-"));
  try {
    for (const f of ["slo-a.rules.yml", "b-pipeline.rules.yml"]) fs.copyFileSync(path.join(fixtures, f), path.join(dir, f));
    const linked = { dir, label: "k8s/overlays/x/generated" };
    const slo = path.join(dir, "slo-a.rules.yml");
    fs.writeFileSync(slo, fs.readFileSync(slo, "utf8").replace("summary:", "runbook_url: http://mock-slack.firedrill.svc:8090/runbooks/BatchSyncStale\n          summary:"));
    assert.deepEqual(loadSources(fixtures, linked).problems, []);
    fs.writeFileSync(slo, fs.readFileSync(slo, "utf8").replace("for: 2h", "for: 3h"));
    fs.rmSync(path.join(dir, "b-pipeline.rules.yml"));
    assert.deepEqual(loadSources(fixtures, linked).problems, [
      "k8s/overlays/x/generated/slo-a.rules.yml differs from alert-rules/slo-a.rules.yml in more than its links: run make rules",
      "k8s/overlays/x/generated/b-pipeline.rules.yml does not exist: run make rules",
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
