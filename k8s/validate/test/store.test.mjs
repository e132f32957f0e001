// mock-slack's history store in a cluster (lib/store.mjs): the real renderings of k8s/base (a
// one-replica StatefulSet on SQLite) and of the ha overlay (a 2-replica Deployment on PostgreSQL)
// pass; each test breaks one thing in them and asserts the exact complaint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { validateObjects } from "../lib/validate.mjs";
import { storeErrors } from "../lib/store.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const k8s = path.resolve(here, "../..");
const kubectl = process.env.KUBECTL ?? "kubectl";
const load = (text) => yaml.loadAll(text).filter(Boolean);

const base = load(execFileSync(kubectl, ["kustomize", path.join(k8s, "base")], { encoding: "utf8" }));
const ha = load(execFileSync(path.join(k8s, "render"), ["ha"], { encoding: "utf8", maxBuffer: 64 << 20 }));
const clone = (x) => structuredClone(x);
const get = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const haDeployment = (objects) => get(objects, "Deployment", "mock-slack");
const container = (workload) => workload.spec.template.spec.containers[0];
const messages = (objects) => storeErrors(objects).map((e) => `${e.object}: ${e.message}`);
const HA = "Deployment/firedrill/mock-slack: container mock-slack: ";
const BASE = "StatefulSet/firedrill/mock-slack: container mock-slack: ";

test("the ha overlay passes the whole validator, with prod's Secrets and the database's external", async () => {
  assert.equal(get(ha, "StatefulSet", "mock-slack"), undefined);
  assert.equal(get(ha, "Service", "mock-slack-headless"), undefined);
  assert.equal(haDeployment(ha).spec.replicas, 2);
  const externalSecrets = ["portal-admin-token", "mock-slack-webhook-token", "mock-slack-db"];
  assert.deepEqual(await validateObjects(ha, { skipRules: true, externalSecrets, forbidPlaceholderSecrets: true }), []);
  assert.deepEqual(messages(base), []);
});

test("a Deployment of mock-slack on a SQLite file is rejected", () => {
  const objects = clone(ha);
  const env = container(haDeployment(objects)).env;
  env.splice(env.findIndex((e) => e.name === "MOCKSLACK_DB_URL_FILE"), 1, { name: "MOCKSLACK_DB", value: "/var/lib/mock-slack/mock-slack.db" });
  assert.deepEqual(messages(objects), [
    `${HA}a Deployment on SQLite file /var/lib/mock-slack/mock-slack.db: a SQLite history needs a one-replica StatefulSet; use PostgreSQL (MOCKSLACK_DB_URL_FILE)`,
  ]);
  // With no database setting at all, mock-slack uses its default SQLite file.
  env.splice(env.findIndex((e) => e.name === "MOCKSLACK_DB"), 1);
  assert.deepEqual(messages(objects), [
    `${HA}a Deployment on the default SQLite file: a SQLite history needs a one-replica StatefulSet; use PostgreSQL (MOCKSLACK_DB_URL_FILE)`,
  ]);
});

test("a StatefulSet of mock-slack scaled past one SQLite writer is rejected", () => {
  const objects = clone(base);
  get(objects, "StatefulSet", "mock-slack").spec.replicas = 2;
  assert.deepEqual(messages(objects), [
    `${BASE}2 replicas on SQLite file /var/lib/mock-slack/mock-slack.db: SQLite has one writer; use PostgreSQL (MOCKSLACK_DB_URL_FILE)`,
    `${BASE}2 replicas and no PodDisruptionBudget: a drain may evict them all at once`,
  ]);
});

test("a database URI from valueFrom does not prove PostgreSQL", () => {
  const objects = clone(ha);
  const env = container(haDeployment(objects)).env;
  env.splice(env.findIndex((e) => e.name === "MOCKSLACK_DB_URL_FILE"), 1, {
    name: "MOCKSLACK_DB",
    valueFrom: { secretKeyRef: { name: "mock-slack-db", key: "uri" } },
  });
  assert.deepEqual(messages(objects), [
    `${HA}a Deployment on a MOCKSLACK_DB from valueFrom (not provably PostgreSQL): a SQLite history needs a one-replica StatefulSet; use PostgreSQL (MOCKSLACK_DB_URL_FILE)`,
  ]);
});

test("replicas of mock-slack without a PodDisruptionBudget, or with one that blocks drains, are rejected", () => {
  const objects = clone(ha).filter((o) => o.kind !== "PodDisruptionBudget" || o.metadata.name !== "mock-slack");
  assert.deepEqual(messages(objects), [`${HA}2 replicas and no PodDisruptionBudget: a drain may evict them all at once`]);
  const blocking = clone(ha);
  get(blocking, "PodDisruptionBudget", "mock-slack").spec.minAvailable = 2;
  assert.deepEqual(messages(blocking), [`${HA}PodDisruptionBudget/firedrill/mock-slack: allows no eviction of 2 replicas: a drain would wait forever`]);
  get(blocking, "PodDisruptionBudget", "mock-slack").spec.minAvailable = 0;
  assert.deepEqual(messages(blocking), [`${HA}PodDisruptionBudget/firedrill/mock-slack: lets a drain evict all 2 replicas`]);
  const pdb = get(blocking, "PodDisruptionBudget", "mock-slack").spec;
  delete pdb.minAvailable;
  pdb.maxUnavailable = 1;
  assert.deepEqual(messages(blocking), []);
});

test("both database settings, or a password in the pod spec, are rejected", () => {
  const objects = clone(ha);
  container(haDeployment(objects)).env.push({ name: "MOCKSLACK_DB", value: "postgresql://firedrill:s3cret@firedrill-history-rw:5432/firedrill" });
  assert.deepEqual(messages(objects), [
    `${HA}MOCKSLACK_DB and MOCKSLACK_DB_URL_FILE exclude each other (mock-slack refuses to start)`,
    `${HA}MOCKSLACK_DB holds a password in the pod spec: put the URI in a Secret and set MOCKSLACK_DB_URL_FILE`,
  ]);
  // A literal URI without a password (a client certificate, a .pgpass) is PostgreSQL and fine.
  const env = container(haDeployment(objects)).env;
  env.splice(env.findIndex((e) => e.name === "MOCKSLACK_DB_URL_FILE"), 1);
  env.find((e) => e.name === "MOCKSLACK_DB").value = "postgresql://firedrill@firedrill-history-rw:5432/firedrill?sslmode=verify-full";
  assert.deepEqual(messages(objects), []);
  env.find((e) => e.name === "MOCKSLACK_DB").value = "postgres://firedrill-history-rw/firedrill?user=firedrill&password=s3cret";
  assert.deepEqual(messages(objects), [`${HA}MOCKSLACK_DB holds a password in the pod spec: put the URI in a Secret and set MOCKSLACK_DB_URL_FILE`]);
});

test("a database URL file that no mounted Secret provides is rejected", () => {
  for (const [change, expected] of [
    [(c) => (c.env.find((e) => e.name === "MOCKSLACK_DB_URL_FILE").value = "/etc/mock-slack/database/uri"), "MOCKSLACK_DB_URL_FILE /etc/mock-slack/database/uri is not a key of a mounted Secret volume"],
    [(c) => (c.env.find((e) => e.name === "MOCKSLACK_DB_URL_FILE").value = "/etc/mock-slack/db/url"), "MOCKSLACK_DB_URL_FILE /etc/mock-slack/db/url is not a key of a mounted Secret volume"],
    [(c) => (c.env.find((e) => e.name === "MOCKSLACK_DB_URL_FILE").value = "/tmp/uri"), "MOCKSLACK_DB_URL_FILE /tmp/uri is not a key of a mounted Secret volume"],
    [(c) => (c.env.find((e) => e.name === "MOCKSLACK_DB_URL_FILE").value = "db/uri"), 'MOCKSLACK_DB_URL_FILE "db/uri" is not an absolute path'],
    [(c) => c.volumeMounts.splice(c.volumeMounts.findIndex((m) => m.name === "db-url"), 1), "MOCKSLACK_DB_URL_FILE /etc/mock-slack/db/uri is not a key of a mounted Secret volume"],
  ]) {
    const objects = clone(ha);
    change(container(haDeployment(objects)));
    assert.deepEqual(messages(objects), [HA + expected]);
  }
});
