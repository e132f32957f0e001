// make break/heal TARGET=k8s, offline: scripts/k8s-drill --dry-run prints the kubectl command; the
// test checks it against the rendered dev overlay (the ConfigMap, its namespace, the portal's
// mount of it), applies its merge patch to that ConfigMap as the API server would (RFC 7386), lays
// the result out as the kubelet does (a ..data symlink swap) under a running portal binary, and
// waits for the portal to report the scenario's faults through its admin API. Needs PORTAL_BINARY
// (ctest k8s.drill-patch sets it) and kubectl for the rendering.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../../..");
const portalBinary = process.env.PORTAL_BINARY;
assert.ok(portalBinary && fs.existsSync(portalBinary), `PORTAL_BINARY (${portalBinary}) must name the built portal`);

const dev = yaml.loadAll(execFileSync(path.join(repo, "k8s/render"), ["dev"], { encoding: "utf8", maxBuffer: 64 << 20 })).filter(Boolean);
const find = (kind, name) => dev.find((o) => o.kind === kind && o.metadata.name === name);

/** The kubectl command of a drill, one argument per line (--dry-run). */
function drill(args, env = {}) {
  const out = execFileSync(path.join(repo, "scripts/k8s-drill"), ["--dry-run", ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return out.trimEnd().split("\n");
}

/** RFC 7386 JSON merge patch, as `kubectl patch --type merge` has the API server apply it. */
function mergePatch(target, patch) {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out = target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Checks the command and returns the patched object. */
function applied(argv, kind, object) {
  const [kubectl, ...rest] = argv;
  assert.equal(kubectl, process.env.KUBECTL ?? "kubectl");
  assert.deepEqual(rest.slice(0, 6), ["--namespace", object.metadata.namespace, "patch", kind, object.metadata.name, "--type"]);
  assert.deepEqual(rest.slice(6, 8), ["merge", "--patch"]);
  assert.equal(rest.length, 9);
  return mergePatch(object, JSON.parse(rest[8]));
}

/** A ConfigMap volume as the kubelet writes it: ..data -> a versioned directory, keys via ..data. */
class ConfigMapVolume {
  constructor(dir) {
    this.dir = dir;
    this.generation = 0;
  }
  update(data) {
    const version = `..2026_12_01_00_00_00.${++this.generation}`;
    fs.mkdirSync(path.join(this.dir, version));
    for (const [k, v] of Object.entries(data)) fs.writeFileSync(path.join(this.dir, version, k), v);
    fs.symlinkSync(version, path.join(this.dir, "..data_tmp"));
    fs.renameSync(path.join(this.dir, "..data_tmp"), path.join(this.dir, "..data"));
    for (const k of Object.keys(data)) if (!fs.existsSync(path.join(this.dir, k))) fs.symlinkSync(path.join("..data", k), path.join(this.dir, k));
    if (this.previous) fs.rmSync(path.join(this.dir, this.previous), { recursive: true });
    this.previous = version;
  }
}

/** Starts the portal; resolves with its ops port once it logged "started". */
function startPortal(faultFile) {
  const child = spawn(portalBinary, ["--listen", "127.0.0.1:0", "--ops-listen", "127.0.0.1:0", "--drain-delay", "0", "--access-log", "false", "--fault-file", faultFile, "--fault-file-poll", "100ms"], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, PORTAL_ADMIN_TOKEN: "" } });
  let buffer = "";
  const ports = new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk) => {
      buffer += chunk;
      for (const line of buffer.split("\n")) if (line.includes('"msg":"started"')) resolve(JSON.parse(line).ops_port);
    });
    child.on("exit", (code) => reject(new Error(`portal exited ${code}: ${buffer}`)));
  });
  return { child, ports, log: () => buffer };
}

/** Polls GET /admin/faults until `want` holds, with a deadline. */
async function eventually(opsPort, want, what) {
  const deadline = Date.now() + 10000;
  let last;
  while (Date.now() < deadline) {
    last = await (await fetch(`http://127.0.0.1:${opsPort}/admin/faults`)).json();
    if (want(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${what}: the portal's faults are still ${JSON.stringify(last)}`);
}

test("the dev overlay's portal reads every fault from the portal-faults ConfigMap", () => {
  const cm = find("ConfigMap", "portal-faults");
  assert.ok(cm, "ConfigMap portal-faults is rendered, under that very name (the drill patches it by name)");
  const pod = find("Deployment", "portal").spec.template.spec;
  const c = pod.containers.find((x) => x.name === "portal");
  const file = c.env.find((e) => e.name === "PORTAL_FAULT_FILE").value;
  const mount = c.volumeMounts.find((m) => m.mountPath === path.posix.dirname(file));
  assert.ok(mount, `a volume is mounted at ${path.posix.dirname(file)}`);
  assert.equal(mount.subPath, undefined, "a subPath mount is never updated by the kubelet");
  assert.equal(pod.volumes.find((v) => v.name === mount.name).configMap.name, "portal-faults");
  assert.ok(path.posix.basename(file) in cm.data);
  assert.deepEqual(JSON.parse(cm.data[path.posix.basename(file)]), {});
});

test("break and heal through the ConfigMap reach a running portal", async () => {
  const cm = find("ConfigMap", "portal-faults");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-drill-"));
  const volume = new ConfigMapVolume(dir);
  volume.update(cm.data);
  const portal = startPortal(path.join(dir, "faults.json"));
  try {
    const ops = await portal.ports;
    await eventually(ops, (f) => f.error_rate === 0 && f.ready === true, "at start");
    const env = { BREAK_ERROR_RATE: "0.75", BREAK_LATENCY_MS: "650", CRASH_AFTER: "10m" };
    for (const [args, want] of [
      [["break", "errors"], (f) => f.error_rate === 0.75],
      [["break", "latency"], (f) => f.error_rate === 0 && f.latency_ms === 650 && f.latency_jitter_ms === 100 && f.latency_rate === 1],
      [["break", "unready"], (f) => f.ready === false && f.latency_ms === 0],
      [["break", "crashloop"], (f) => f.crash_after_ms === 600000 && f.ready === true],
      [["heal"], (f) => f.crash_after_ms === 0 && f.error_rate === 0 && f.latency_ms === 0 && f.ready === true],
    ]) {
      const patched = applied(drill(args, env), "configmap", cm);
      assert.deepEqual(Object.keys(patched.data), Object.keys(cm.data));
      volume.update(patched.data);
      await eventually(ops, want, args.join(" "));
    }
    assert.match(portal.log(), /"source":"fault-file"/);
  } finally {
    portal.child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true });
  }
});

test("portal-load of the dev overlay is off by default and switched by the drill", () => {
  const job = find("Job", "portal-load");
  assert.equal(job.spec.suspend, true);
  assert.equal(applied(drill(["load", "on"]), "job", job).spec.suspend, false);
  assert.equal(applied(drill(["load", "off"]), "job", job).spec.suspend, true);
  const target = job.spec.template.spec.containers[0].env.find((e) => e.name === "PORTAL_LOAD_TARGET").value;
  const url = new URL(target);
  const svc = find("Service", url.hostname.split(".")[0]);
  assert.ok(svc && svc.spec.ports.some((p) => p.port === Number(url.port)), `${target} is a port of a rendered Service`);
});

test("bad drills are refused with a clear error, and without kubectl nothing runs", () => {
  const run = (args, env = {}) => {
    try {
      execFileSync(path.join(repo, "scripts/k8s-drill"), args, { encoding: "utf8", stdio: "pipe", env: { ...process.env, ...env } });
      return { code: 0 };
    } catch (e) {
      return { code: e.status, stderr: e.stderr };
    }
  };
  assert.deepEqual(run(["--dry-run", "break", "flood"]), { code: 2, stderr: "k8s-drill: unknown scenario 'flood' (on Kubernetes: errors, latency, crashloop, unready)\n" });
  assert.deepEqual(run(["--dry-run", "break", "receiver-down"]).code, 2);
  assert.deepEqual(run(["--dry-run", "break", "crashloop"], { CRASH_AFTER: "5" }), { code: 2, stderr: "k8s-drill: CRASH_AFTER '5' is not a duration such as 500ms, 5s or 2m\n" });
  assert.deepEqual(run(["heal"], { KUBECTL: "/nonexistent/kubectl" }), { code: 2, stderr: "k8s-drill: /nonexistent/kubectl not found: install kubectl (or set KUBECTL); --dry-run prints the command instead\n" });
});
