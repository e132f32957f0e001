// The validator must reject what it claims to reject: each test breaks one thing in a real
// rendering (k8s/base, the operator overlay's AlertmanagerConfig, the rule generator's output)
// and asserts the exact complaint. The positive controls show that the unbroken input passes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { validateObjects } from "../lib/validate.mjs";
import { loadSources, ruleErrors } from "../lib/rules.mjs";
import { cronPeriodSeconds, durationSeconds, parseImage, quantityValue } from "../lib/units.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const k8s = path.resolve(here, "../..");
const fixtureRules = path.join(here, "fixtures/alert-rules");
const kubectl = process.env.KUBECTL ?? "kubectl";

const base = yaml.loadAll(execFileSync(kubectl, ["kustomize", path.join(k8s, "base")], { encoding: "utf8" }));
const clone = (x) => structuredClone(x);
const get = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const portalContainer = (objects) => get(objects, "Deployment", "portal").spec.template.spec.containers[0];
const baseErrors = (objects) => validateObjects(objects, { skipRules: true, partial: true });

async function assertRejected(objects, expected) {
  const errors = await baseErrors(objects);
  assert.ok(errors.some((e) => e.includes(expected)), `expected an error containing\n  ${expected}\ngot\n  ${errors.join("\n  ") || "(none)"}`);
}

test("k8s/base passes (positive control)", async () => {
  assert.deepEqual(await baseErrors(base), []);
});

test("the auto-healer's Role may grant no more than its limit", async () => {
  for (const [change, expected] of [
    [(r) => r.rules[1].verbs.push("delete"), "Role/firedrill/auto-healer: rules[1]: grants delete on apps/deployments, wider than its limit"],
    [(r) => r.rules.push({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }), "rules[3]: grants get on core/secrets, wider than its limit"],
    [(r) => (r.rules[0].verbs = ["*"]), "rules[0]: grants * on core/pods, wider than its limit"],
  ]) {
    const objects = clone(base);
    change(get(objects, "Role", "auto-healer"));
    await assertRejected(objects, expected);
  }
  const objects = clone(base);
  objects.push({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "auto-healer" }, rules: [] });
  await assertRejected(objects, "ClusterRole/auto-healer: Firedrill needs no cluster-wide RBAC: use a namespaced Role");
});

test("a misspelt field is rejected", async () => {
  const objects = clone(base);
  const c = portalContainer(objects);
  c.readinesProbe = c.readinessProbe;
  delete c.readinessProbe;
  await assertRejected(objects, "Deployment/firedrill/portal: spec.template.spec.containers[0].readinesProbe: unknown field (not in V1Container)");
});

test("a misspelt field deep in a CronJob is rejected", async () => {
  const objects = clone(base);
  const job = get(objects, "CronJob", "batch-sync").spec.jobTemplate.spec;
  job.activeDeadlineSecond = 100;
  await assertRejected(objects, "CronJob/firedrill/batch-sync: spec.jobTemplate.spec.activeDeadlineSecond: unknown field (not in V1JobSpec)");
});

test("a wrongly typed field is rejected", async () => {
  const objects = clone(base);
  get(objects, "Deployment", "portal").spec.replicas = "3";
  await assertRejected(objects, "Deployment/firedrill/portal: spec.replicas: expected a number, found string");
});

test("a missing probe is rejected", async () => {
  const objects = clone(base);
  delete portalContainer(objects).livenessProbe;
  await assertRejected(objects, "Deployment/firedrill/portal: container portal: livenessProbe is missing");
});

test("a probe on an undeclared port is rejected", async () => {
  const objects = clone(base);
  portalContainer(objects).readinessProbe.httpGet.port = "admin";
  await assertRejected(objects, 'container portal: readinessProbe uses port "admin", which the container does not declare');
});

test("missing limits are rejected", async () => {
  const objects = clone(base);
  delete get(objects, "StatefulSet", "mock-slack").spec.template.spec.containers[0].resources.limits;
  await assertRejected(objects, "StatefulSet/firedrill/mock-slack: container mock-slack: resources.limits.memory is missing");
});

test("a writable root filesystem and a root user are rejected", async () => {
  const objects = clone(base);
  const c = portalContainer(objects);
  c.securityContext.readOnlyRootFilesystem = false;
  c.securityContext.runAsNonRoot = false;
  await assertRejected(objects, "container portal: securityContext.readOnlyRootFilesystem is not true");
  await assertRejected(objects, "container portal: runAsNonRoot is not true");
});

test("an unpinned image is rejected", async () => {
  const objects = clone(base);
  portalContainer(objects).image = "ghcr.io/firedrill/portal:latest";
  await assertRejected(objects, 'container portal: image "ghcr.io/firedrill/portal:latest" is not pinned');
  portalContainer(objects).image = "ghcr.io/firedrill/portal";
  await assertRejected(objects, 'container portal: image "ghcr.io/firedrill/portal" is not pinned');
});

test("a preStop drain that does not match the service's drain delay is rejected", async () => {
  const objects = clone(base);
  portalContainer(objects).env.find((e) => e.name === "PORTAL_DRAIN_DELAY").value = "10s";
  await assertRejected(objects, "container portal: preStop sleep 5s does not match PORTAL_DRAIN_DELAY=10s");
});

test("a CronJob whose deadline reaches the next run is rejected", async () => {
  const objects = clone(base);
  get(objects, "CronJob", "batch-sync").spec.jobTemplate.spec.activeDeadlineSeconds = 300;
  await assertRejected(objects, "CronJob/firedrill/batch-sync: activeDeadlineSeconds 300 is not below the schedule period 300s");
});

test("a token mount of a Secret that is not rendered is rejected", async () => {
  const objects = clone(base).filter((o) => !(o.kind === "Secret" && o.metadata.name === "mock-slack-webhook-token"));
  await assertRejected(objects, "StatefulSet/firedrill/mock-slack: volume webhook-token: Secret mock-slack-webhook-token is not rendered");
  assert.deepEqual(await validateObjects(objects, { skipRules: true, partial: true, externalSecrets: ["mock-slack-webhook-token"] }), []);
});

test("a Service whose targetPort no pod declares is rejected", async () => {
  const objects = clone(base);
  get(objects, "Service", "portal").spec.ports[0].targetPort = "api";
  await assertRejected(objects, "Service/firedrill/portal: port http: targetPort api is not a container port of the selected pods");
});

test("a URL to a Service that is not rendered is rejected", async () => {
  const objects = clone(base);
  const env = get(objects, "CronJob", "batch-sync").spec.jobTemplate.spec.template.spec.containers[0].env;
  env.find((e) => e.name === "BATCHSYNC_MOCK_SLACK_URL").value = "http://mock-slack:8080";
  await assertRejected(objects, "CronJob/firedrill/batch-sync: env BATCHSYNC_MOCK_SLACK_URL: http://mock-slack:8080 is not a rendered Service port");
});

test("outside a partial rendering, a URL to a missing Service is rejected", async () => {
  // base leaves the Alertmanager and the Pushgateway to its overlays.
  const errors = await validateObjects(base, { skipRules: true });
  assert.deepEqual(errors, [
    "Deployment/firedrill/auto-healer: env AUTOHEALER_ALERTMANAGER_URL: http://alertmanager:9093 is not a rendered Service port",
    "CronJob/firedrill/auto-healer-scan: env AUTOHEALER_PUSHGATEWAY_URL: http://pushgateway:9091 is not a rendered Service port",
    "CronJob/firedrill/batch-sync: env BATCHSYNC_ALERTMANAGER_URL: http://alertmanager:9093 is not a rendered Service port",
    "CronJob/firedrill/batch-sync: env BATCHSYNC_PUSHGATEWAY_URL: http://pushgateway:9091 is not a rendered Service port",
  ]);
});

test("a namespace without a default-deny NetworkPolicy is rejected", async () => {
  const objects = clone(base).filter((o) => o.metadata.name !== "default-deny-all");
  await assertRejected(objects, "Namespace/firedrill: no default-deny NetworkPolicy");
});

// Prometheus Operator objects: the generator plugin's output for the fixture rules.
function generatedRules() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "firedrill-rules-"));
  const config = path.join(dir, "generator.yaml");
  fs.writeFileSync(config, `apiVersion: firedrill.dev/v1\nkind: PrometheusRuleGenerator\nmetadata:\n  name: firedrill\nruleDir: ${fixtureRules}\n`);
  const plugin = path.join(k8s, "plugins/firedrill.dev/v1/prometheusrulegenerator/PrometheusRuleGenerator");
  const out = execFileSync(plugin, [config], { encoding: "utf8", cwd: dir });
  fs.rmSync(dir, { recursive: true });
  return yaml.loadAll(out).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: "firedrill", labels: { "app.kubernetes.io/part-of": "firedrill" } } }));
}
const sources = loadSources(fixtureRules);
const ruleMessages = (objects) => ruleErrors(objects, sources, { allowNoRules: true }).map((e) => `${e.object}: ${e.message}`);

test("the rule generator emits one PrometheusRule per rule file, equal to it", async () => {
  const rules = generatedRules();
  assert.deepEqual(rules.map((r) => r.metadata.name), ["firedrill-slo-a-rules", "firedrill-b-pipeline-rules"]);
  assert.deepEqual([...sources.rules.keys()], ["slo-a.rules.yml", "b-pipeline.rules.yml"]);
  assert.deepEqual(ruleMessages(rules), []);
  assert.deepEqual(await validateObjects(rules, { skipRules: true }), []);
});

test("a PrometheusRule that differs from its rule file is rejected", () => {
  const rules = generatedRules();
  rules[0].spec.groups[0].rules[0].expr = "vector(0)";
  assert.deepEqual(ruleMessages(rules), ["PrometheusRule/firedrill/firedrill-slo-a-rules: spec differs from alert-rules/slo-a.rules.yml"]);
});

test("a missing PrometheusRule is rejected", () => {
  assert.deepEqual(ruleMessages(generatedRules().slice(1)), ["PrometheusRule: no PrometheusRule for alert-rules/slo-a.rules.yml"]);
});

test("a misspelt field in a PrometheusRule is rejected", async () => {
  const rules = generatedRules();
  rules[1].spec.groups[0].rules[0].lables = rules[1].spec.groups[0].rules[0].labels;
  assert.deepEqual(await validateObjects(rules, { skipRules: true }), [
    "PrometheusRule/firedrill/firedrill-b-pipeline-rules: spec.groups[0].rules[0].lables: unknown field (not in the PrometheusRule CRD schema)",
  ]);
});

test("a rules ConfigMap must hold every rule file verbatim", () => {
  const data = Object.fromEntries([...sources.rules].map(([f, { text }]) => [f, text]));
  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "prometheus-rules-abc123", namespace: "firedrill" }, data };
  assert.deepEqual(ruleMessages([cm]), []);
  const edited = clone(cm);
  edited.data["slo-a.rules.yml"] = edited.data["slo-a.rules.yml"].replace("2h", "3h");
  delete edited.data["b-pipeline.rules.yml"];
  assert.deepEqual(ruleMessages([edited]), [
    "ConfigMap/firedrill/prometheus-rules-abc123: rule file alert-rules/b-pipeline.rules.yml is missing",
    "ConfigMap/firedrill/prometheus-rules-abc123: slo-a.rules.yml differs from alert-rules/slo-a.rules.yml",
  ]);
});

test("the AlertmanagerConfig must follow alertmanager.yml's routing tree", async () => {
  const amc = yaml.load(fs.readFileSync(path.join(k8s, "overlays/operator/alertmanager-config.yaml"), "utf8"));
  amc.metadata.namespace = "firedrill";
  assert.deepEqual(ruleMessages([amc]), []);
  amc.spec.route.groupWait = "1m";
  amc.spec.route.routes.find((r) => r.receiver === "pages").matchers[0].value = "critical";
  assert.deepEqual(ruleMessages([amc]), [
    "AlertmanagerConfig/firedrill/firedrill: route.groupWait 1m differs from group_wait 30s",
    'AlertmanagerConfig/firedrill/firedrill: child routes ["heartbeat:alertname=\\"Watchdog\\"","auto-healer:remediation=~\\".+\\"","pages:severity=\\"critical\\"","tickets:severity=\\"ticket\\""] differ from ["heartbeat:alertname=\\"Watchdog\\"","auto-healer:remediation=~\\".+\\"","pages:severity=\\"page\\"","tickets:severity=\\"ticket\\""]',
  ]);
});

test("a misspelt field in a free-form child route of an AlertmanagerConfig is rejected", async () => {
  const amc = yaml.load(fs.readFileSync(path.join(k8s, "overlays/operator/alertmanager-config.yaml"), "utf8"));
  amc.metadata.namespace = "firedrill";
  amc.metadata.labels["app.kubernetes.io/part-of"] = "firedrill";
  assert.deepEqual(await validateObjects([...base, amc], { skipRules: true, partial: true }), []);
  amc.spec.route.routes[1].recevier = "pages";
  assert.deepEqual(await validateObjects([...base, amc], { skipRules: true, partial: true }), [
    "AlertmanagerConfig/firedrill/firedrill: spec.route.routes[1].recevier: unknown field (not in the AlertmanagerConfig CRD schema)",
  ]);
});

test("the finished-Job TTL must outlive the batch-sync alert window", async () => {
  // The fixture's BatchSyncStale waits 2h: the base's 86400s TTL passes, 3600s does not.
  const objects = clone(base);
  const opts = { sources, allowNoRules: true };
  const ttlError = (errs) => errs.filter((e) => e.includes("ttlSecondsAfterFinished"));
  assert.deepEqual(ttlError(await validateObjects(objects, opts)), []);
  get(objects, "CronJob", "batch-sync").spec.jobTemplate.spec.ttlSecondsAfterFinished = 3600;
  assert.deepEqual(ttlError(await validateObjects(objects, opts)), [
    "CronJob/firedrill/batch-sync: ttlSecondsAfterFinished 3600 is not longer than the alert window (7200s) and the schedule period",
  ]);
});

test("an unknown field in the Argo CD Application is rejected", async () => {
  const app = yaml.load(fs.readFileSync(path.join(k8s, "argocd/application.yaml"), "utf8"));
  assert.deepEqual(await validateObjects([app], { skipRules: true, repoRoot: path.resolve(k8s, "..") }), []);
  app.spec.syncPolicy.automated.selfheal = true;
  app.spec.source.plugin.env[0].value = "staging";
  assert.deepEqual(await validateObjects([app], { skipRules: true, repoRoot: path.resolve(k8s, "..") }), [
    "Application/argocd/firedrill: spec.syncPolicy.automated.selfheal: unknown field",
    'Application/argocd/firedrill: plugin env OVERLAY "staging" is not an overlay of k8s/overlays',
  ]);
});

test("unit parsers", () => {
  assert.equal(durationSeconds("1m30s"), 90);
  assert.equal(durationSeconds("500ms"), 0.5);
  assert.ok(Number.isNaN(durationSeconds("5")));
  assert.equal(quantityValue("100m"), 0.1);
  assert.equal(quantityValue("64Mi"), 64 * 2 ** 20);
  assert.equal(cronPeriodSeconds("*/5 * * * *"), 300);
  assert.equal(cronPeriodSeconds("0,45 * * * *"), 900);
  assert.equal(cronPeriodSeconds("30 2 * * *"), 86400);
  assert.equal(cronPeriodSeconds("0 0 1 * *"), undefined);
  assert.deepEqual(parseImage("localhost:5000/portal"), { name: "localhost:5000/portal", tag: undefined, digest: undefined });
  assert.deepEqual(parseImage("ghcr.io/x/portal:0.1.0@sha256:ab"), { name: "ghcr.io/x/portal", tag: "0.1.0", digest: "sha256:ab" });
});
