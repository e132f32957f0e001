// Every dashboard query, with its variables set to their defaults, is valid PromQL (promtool
// parses it as a recording rule), and every recording rule it reads exists in alert-rules/. The
// end-to-end test of the stack runs the same queries against a real Prometheus.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import yaml from "js-yaml";
import { allPanels, dashboardsDir, loadDashboards, recordingRulesUsed, substitute } from "./dashboards.mjs";

const promtool = process.env.PROMTOOL || "promtool";
const alertRules = path.resolve(dashboardsDir, "../alert-rules");
const dashboards = loadDashboards();

const queries = Object.entries(dashboards).flatMap(([file, d]) =>
  allPanels(d).flatMap((p) => (p.targets ?? []).map((t) => ({ file, panel: p.title, refId: t.refId, expr: substitute(t.expr, d) }))),
);

/** promtool's complaints about the expressions, or "" when all parse. */
function promtoolCheck(exprs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "firedrill-dashboards-"));
  const file = path.join(dir, "queries.rules.yml");
  const rules = exprs.map((expr, i) => ({ record: `dashboard_query_${i}`, expr }));
  fs.writeFileSync(file, JSON.stringify({ groups: [{ name: "dashboards", rules }] }));
  try {
    execFileSync(promtool, ["check", "rules", file], { encoding: "utf8", stdio: "pipe" });
    return "";
  } catch (e) {
    return `${e.stdout ?? ""}${e.stderr ?? ""}`.trim() || e.message;
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}

test("every query is valid PromQL", () => {
  assert.ok(queries.length > 40, `only ${queries.length} queries found`);
  const complaint = promtoolCheck(queries.map((q) => q.expr));
  assert.equal(complaint, "", queries.map((q, i) => `${i}: ${q.file} / ${q.panel} / ${q.refId}: ${q.expr}`).join("\n"));
});

test("promtool rejects a broken query (the check can fail)", () => {
  assert.notEqual(promtoolCheck(['sum(rate(http_requests_total{job="portal"}[1m])']), "");
  assert.notEqual(promtoolCheck(["slo:burn_rate:ratio_rate1h > > 14.4"]), "");
});

test("every recording rule read by a dashboard is recorded in alert-rules/", () => {
  const prometheus = yaml.load(fs.readFileSync(path.join(alertRules, "prometheus.yml"), "utf8"));
  const recorded = new Set();
  for (const f of prometheus.rule_files ?? []) {
    const rules = yaml.load(fs.readFileSync(path.join(alertRules, f), "utf8"));
    for (const g of rules.groups ?? []) for (const r of g.rules ?? []) if (r.record) recorded.add(r.record);
  }
  const used = new Set(queries.flatMap((q) => recordingRulesUsed(q.expr)));
  assert.ok(used.has("slo:burn_rate:ratio_rate1h") && used.has("slo:error_budget_remaining:ratio"), "the SLO dashboard reads the slo:* rules");
  assert.deepEqual([...used].filter((r) => !recorded.has(r)).sort(), []);
});

test("the SLO dashboard plots every burn-rate window against its alert threshold", () => {
  const slo = dashboards["slo.json"];
  for (const [long, short, threshold] of [["1h", "5m", 14.4], ["6h", "30m", 6], ["1d", "2h", 3], ["3d", "6h", 1]]) {
    const panel = allPanels(slo).find((p) => (p.targets ?? []).some((t) => t.expr.startsWith(`slo:burn_rate:ratio_rate${long}{`)));
    assert.ok(panel, `no panel for the ${long} burn rate`);
    assert.ok(panel.targets.some((t) => t.expr.startsWith(`slo:burn_rate:ratio_rate${short}{`)), `${panel.title}: no ${short} window`);
    const steps = panel.fieldConfig.defaults.thresholds.steps.map((s) => s.value);
    assert.ok(steps.includes(threshold), `${panel.title}: no threshold at ${threshold}`);
  }
});
