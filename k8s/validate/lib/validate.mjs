// Ties the checks together; used by the CLI (validate.mjs) and the tests (test/*.test.mjs).
import fs from "node:fs";
import path from "node:path";
import { schemaErrors } from "./schema.mjs";
import { id, policyErrors } from "./policy.mjs";
import { batchSyncAlertWindowSeconds, ruleErrors } from "./rules.mjs";
import { dashboardErrors } from "./dashboards.mjs";
import { storeErrors } from "./store.mjs";
import { CNPG_CLUSTER, cloudnativepgErrors } from "./cloudnativepg.mjs";

/** Fields of Argo CD's Application that Firedrill uses; no npm package carries its schema. */
export const ARGOCD_APPLICATION = {
  apiVersion: "string",
  kind: "string",
  metadata: { name: "string", namespace: "string", labels: "map", annotations: "map", finalizers: "[string]" },
  spec: {
    project: "string",
    source: {
      repoURL: "string",
      targetRevision: "string",
      path: "string",
      plugin: { name: "string", env: [{ name: "string", value: "string" }] },
    },
    destination: { server: "string", name: "string", namespace: "string" },
    syncPolicy: {
      automated: { prune: "boolean", selfHeal: "boolean", allowEmpty: "boolean" },
      syncOptions: "[string]",
      retry: { limit: "number", backoff: { duration: "string", factor: "number", maxDuration: "string" } },
    },
    ignoreDifferences: [{ group: "string", kind: "string", name: "string", namespace: "string", jsonPointers: "[string]", jqPathExpressions: "[string]" }],
    revisionHistoryLimit: "number",
  },
};

const EXTRA_SCHEMAS = { "argoproj.io/v1alpha1/Application": ARGOCD_APPLICATION, "postgresql.cnpg.io/v1/Cluster": CNPG_CLUSTER };

/**
 * All errors of a rendered overlay, as "Kind/namespace/name: message" strings.
 * options: { sources (from loadSources), externalSecrets, forbidPlaceholderSecrets, allowNoRules,
 * skipRules, dashboards (check that dashboards/ reaches a Grafana; needs repoRoot) }.
 */
export async function validateObjects(objects, options = {}) {
  const errors = [];
  for (const o of objects) for (const e of await schemaErrors(o, EXTRA_SCHEMAS)) errors.push(`${id(o)}: ${e}`);
  const alertWindowSeconds = options.sources ? batchSyncAlertWindowSeconds(options.sources) : 0;
  for (const e of policyErrors(objects, { ...options, alertWindowSeconds })) errors.push(`${e.object}: ${e.message}`);
  for (const e of [...storeErrors(objects), ...cloudnativepgErrors(objects)]) errors.push(`${e.object}: ${e.message}`);
  if (options.repoRoot)
    for (const app of objects.filter((o) => o.kind === "Application")) {
      const source = app.spec?.source ?? {};
      const dir = path.join(options.repoRoot, source.path ?? "");
      if (!fs.existsSync(path.join(dir, "render"))) errors.push(`${id(app)}: source.path ${source.path} has no render script`);
      const overlay = source.plugin?.env?.find((e) => e.name === "OVERLAY")?.value;
      if (!overlay || !fs.existsSync(path.join(dir, "overlays", overlay, "kustomization.yaml")))
        errors.push(`${id(app)}: plugin env OVERLAY "${overlay}" is not an overlay of ${source.path}/overlays`);
    }
  if (!options.skipRules) for (const e of ruleErrors(objects, options.sources, options)) errors.push(`${e.object}: ${e.message}`);
  if (options.dashboards) for (const e of dashboardErrors(objects, options.repoRoot)) errors.push(`${e.object}: ${e.message}`);
  return errors;
}
