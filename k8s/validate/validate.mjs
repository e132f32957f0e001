#!/usr/bin/env node
// Offline validation of a rendered kustomize overlay (see k8s/README.md).
//
//   node k8s/validate/validate.mjs --overlay standalone        renders with k8s/render, then checks
//   node k8s/validate/validate.mjs --file a.yaml [--file b.yaml] checks rendered files ("-" = stdin)
// options:
//   --rules-dir DIR                 alert-rules/ (default: the repository's)
//   --linked-rules DIR              the overlay's rule files with its links (default, for
//                                   --overlay NAME: k8s/overlays/NAME/generated when it exists)
//   --external-secret NAME          a Secret provisioned outside the overlay (repeatable)
//   --forbid-placeholder-secrets    fail on Secrets annotated firedrill.dev/placeholder
//   --no-rules                      skip the alert-rules/ comparisons (base, the Argo CD manifest)
//   --partial                       overlays complete this rendering (base): Services it does not
//                                   render may be referenced
// Exit status: 0 valid, 1 invalid, 2 usage or render error.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import { loadSources } from "./lib/rules.mjs";
import { validateObjects } from "./lib/validate.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const k8sDir = path.resolve(here, "..");
const usage = (msg) => {
  console.error(`validate: ${msg}`);
  process.exit(2);
};

const args = process.argv.slice(2);
const opts = { externalSecrets: [], rulesDir: path.resolve(k8sDir, "../alert-rules"), repoRoot: path.resolve(k8sDir, "..") };
let overlay;
const files = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = () => args[++i] ?? usage(`${a} needs a value`);
  if (a === "--overlay") overlay = value();
  else if (a === "--file") files.push(value());
  else if (a === "--rules-dir") opts.rulesDir = path.resolve(value());
  else if (a === "--linked-rules") opts.linkedRules = path.resolve(value());
  else if (a === "--external-secret") opts.externalSecrets.push(value());
  else if (a === "--forbid-placeholder-secrets") opts.forbidPlaceholderSecrets = true;
  else if (a === "--no-rules") opts.skipRules = true;
  else if (a === "--partial") opts.partial = true;
  else usage(`unknown argument ${a}`);
}
if (!overlay === !files.length) usage("give either --overlay NAME or one or more --file FILE");

const objects = [];
for (const source of overlay ? [overlay] : files) {
  let text;
  try {
    text = overlay
      ? execFileSync(path.join(k8sDir, "render"), [overlay], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 << 20 })
      : fs.readFileSync(source === "-" ? 0 : source, "utf8");
  } catch (e) {
    usage(`cannot ${overlay ? `render overlay ${overlay}` : `read ${source}`}: ${e.message.split("\n")[0]}`);
  }
  try {
    objects.push(...yaml.loadAll(text).filter((d) => d !== null && d !== undefined));
  } catch (e) {
    usage(`${source}: not valid YAML: ${e.message.split("\n")[0]}`);
  }
}
if (!objects.length) usage("nothing to validate");

if (!opts.skipRules) {
  if (!fs.existsSync(opts.rulesDir)) usage(`rules directory ${opts.rulesDir} does not exist`);
  const generated = overlay && path.join(k8sDir, "overlays", overlay, "generated");
  if (!opts.linkedRules && generated && fs.existsSync(generated)) opts.linkedRules = generated;
  const linked = opts.linkedRules && { dir: opts.linkedRules, label: path.relative(opts.repoRoot, opts.linkedRules) };
  opts.sources = loadSources(opts.rulesDir, linked);
  // An overlay with a monitoring stack ships the dashboards too.
  opts.dashboards = true;
}
const errors = await validateObjects(objects, opts);
const what = overlay ? `overlay ${overlay}` : files.join(" ");
if (errors.length) {
  for (const e of errors) console.error(`  ${e}`);
  console.error(`validate: ${what}: ${errors.length} error(s) in ${objects.length} objects`);
  process.exit(1);
}
console.log(`validate: ${what}: ${objects.length} objects valid`);
