#!/usr/bin/env node
// Follows every link of the rules where they go (see lib/links.mjs):
//
//   node k8s/validate/links.mjs --overlay NAME   renders the overlay with k8s/render; its links
//                                                must reach rendered Services (or, on the operator
//                                                overlays, kube-prometheus-stack's), never loopback
//   node k8s/validate/links.mjs --local          the rules of alert-rules/ and alert-rules/drill/
//                                                (the local stack): loopback, to files that exist
//   --generated DIR                              with --overlay: the overlay's make-rules output
//                                                (default k8s/overlays/NAME/generated; ha: prod's)
// Each runbook_url must name runbooks/<its alert>.md on mock-slack; each dashboard_url a uid of
// dashboards/*.json on a Grafana that the rendering ships it to; the external URLs of Prometheus,
// Alertmanager and Grafana their own Service. Exit status: 0 all links work, 1 some do not, 2 usage.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { helmValuesUrls, linkErrors } from "./lib/links.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const k8sDir = path.resolve(here, "..");
const repoRoot = path.resolve(k8sDir, "..");
const usage = (msg) => {
  console.error(`links: ${msg}`);
  process.exit(2);
};

const args = process.argv.slice(2);
let overlay;
let local = false;
let generated;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--overlay") overlay = args[++i] ?? usage("--overlay needs a value");
  else if (args[i] === "--generated") generated = path.resolve(args[++i] ?? usage("--generated needs a value"));
  else if (args[i] === "--local") local = true;
  else usage(`unknown argument ${args[i]}`);
}
if (!overlay === !local) usage("give either --overlay NAME or --local");
if (generated && !fs.existsSync(generated)) usage(`--generated ${generated} does not exist`);

let objects;
const extraUrls = [];
if (local) {
  // The rule files the local stack's two profiles load, as ConfigMap-shaped objects.
  const data = {};
  for (const config of ["alert-rules/prometheus.yml", "alert-rules/drill/prometheus.yml"]) {
    const dir = path.dirname(path.join(repoRoot, config));
    for (const f of yaml.load(fs.readFileSync(path.join(repoRoot, config), "utf8")).rule_files ?? [])
      data[path.relative(repoRoot, path.join(dir, f))] = fs.readFileSync(path.join(dir, f), "utf8");
  }
  objects = [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "prometheus-rules" }, data }];
} else {
  try {
    const text = execFileSync(path.join(k8sDir, "render"), [overlay], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 << 20 });
    objects = yaml.loadAll(text).filter(Boolean);
  } catch (e) {
    usage(`cannot render overlay ${overlay}: ${e.message.split("\n")[0]}`);
  }
  const values = path.join(generated ?? path.join(k8sDir, "overlays", overlay, "generated"), "kube-prometheus-stack-values.yaml");
  if (fs.existsSync(values)) extraUrls.push(...helmValuesUrls(values));
}

const { errors, checked } = linkErrors(objects, { repoRoot, local, extraUrls });
const what = local ? "the local stack's rules" : `overlay ${overlay}`;
if (errors.length) {
  for (const e of errors) console.error(`  ${e}`);
  console.error(`links: ${what}: ${errors.length} broken link(s)`);
  process.exit(1);
}
console.log(`links: ${what}: all ${checked} links reach something that exists`);
