// Dashboards structure: unique panel ids, every panel has a query, the data source is always the
// `datasource` variable, variables have documented defaults; and the provisioning files.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { allPanels, dashboardsDir, loadDashboards, structureErrors } from "./dashboards.mjs";

const dashboards = loadDashboards();
const names = Object.keys(dashboards);

test("the four dashboards are there", () => {
  assert.deepEqual(names, ["alert-pipeline.json", "batch-sync.json", "portal-red.json", "slo.json"]);
});

for (const [file, d] of Object.entries(dashboards)) {
  test(`${file} is well-formed`, () => {
    assert.deepEqual(structureErrors(d, file), []);
  });
}

test("uids and titles are unique across dashboards", () => {
  const uids = Object.values(dashboards).map((d) => d.uid);
  const titles = Object.values(dashboards).map((d) => d.title);
  assert.equal(new Set(uids).size, uids.length);
  assert.equal(new Set(titles).size, titles.length);
});

// The checker must be able to fail.
const sample = () => structuredClone(dashboards["portal-red.json"]);
const firstQueryPanel = (d) => allPanels(d).find((p) => p.type !== "row");

test("a duplicate panel id is rejected", () => {
  const d = sample();
  const [a, b] = allPanels(d).filter((p) => p.type !== "row");
  b.id = a.id;
  assert.ok(structureErrors(d, "x").some((e) => e.includes(`id ${a.id} also used by "${a.title}"`)));
});

test("a panel without a query is rejected", () => {
  const d = sample();
  firstQueryPanel(d).targets = [];
  assert.ok(structureErrors(d, "x").some((e) => e.endsWith("a panel needs at least one query, and every target an expr")));
});

test("a hard-coded data source uid is rejected", () => {
  const d = sample();
  firstQueryPanel(d).targets[0].datasource = { type: "prometheus", uid: "P1809F7CD0C75ACF3" };
  assert.ok(structureErrors(d, "x").some((e) => e.includes("hard-coded datasource uid P1809F7CD0C75ACF3")));
});

test("an undefined variable in a query is rejected", () => {
  const d = sample();
  firstQueryPanel(d).targets[0].expr = 'up{job="$instance"}';
  assert.ok(structureErrors(d, "x").some((e) => e.includes("unknown variable $instance")));
});

test("provisioning: a file provider and a Prometheus data source", () => {
  const read = (f) => yaml.load(fs.readFileSync(path.join(dashboardsDir, "provisioning", f), "utf8"));
  const providers = read("dashboards/firedrill.yaml");
  assert.equal(providers.apiVersion, 1);
  assert.equal(providers.providers.length, 1);
  assert.equal(providers.providers[0].type, "file");
  assert.match(providers.providers[0].options.path, /^\//);
  const sources = read("datasources/prometheus.yaml");
  assert.equal(sources.apiVersion, 1);
  const prom = sources.datasources.filter((s) => s.type === "prometheus");
  assert.equal(prom.length, 1);
  assert.equal(prom[0].isDefault, true);
  assert.match(prom[0].url, /^https?:\/\/[^/]+:9090$/);
});
