// Checks of the Grafana dashboards, shared by structure.test.mjs and promql.test.mjs.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const dashboardsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** { file: dashboard } for every dashboards/*.json. */
export function loadDashboards(dir = dashboardsDir) {
  return Object.fromEntries(
    fs.readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "package.json" && f !== "package-lock.json").sort()
      .map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))]),
  );
}

/** Every panel, rows' nested panels included. */
export function allPanels(dashboard) {
  return (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

// Grafana's built-in variables, and the duration each stands for when a query is checked.
export const BUILTINS = { __rate_interval: "1m", __interval: "15s", __range: "1h", __range_s: "3600" };

/** The default of each template variable (the documented value the e2e test substitutes). */
export function variableDefaults(dashboard) {
  return Object.fromEntries((dashboard.templating?.list ?? []).map((v) => [v.name, v.current?.value]));
}

/** `expr` with every $var, ${var} and [[var]] replaced by its default; throws on unknown ones. */
export function substitute(expr, dashboard) {
  const values = { ...BUILTINS, ...variableDefaults(dashboard) };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (m, a, b, c) => {
    const name = a ?? b ?? c;
    if (name === "datasource") throw new Error(`$datasource used in a query: ${expr}`);
    if (values[name] === undefined || values[name] === "") throw new Error(`unknown variable $${name} in: ${expr}`);
    return Array.isArray(values[name]) ? values[name].join("|") : values[name];
  });
}

const DATASOURCE_REF = new Set(["${datasource}", "$datasource"]);

/** Structure errors of one dashboard, as strings (empty when fine). */
export function structureErrors(dashboard, name = dashboard.title) {
  const errors = [];
  const err = (m) => errors.push(`${name}: ${m}`);
  if (!dashboard.uid || !/^[a-z0-9-]{1,40}$/.test(dashboard.uid)) err(`uid "${dashboard.uid}" is missing or not a short slug`);
  if (!dashboard.title) err("no title");
  if ("__inputs" in dashboard) err("has __inputs: export it without 'Export for sharing externally'");
  if (!dashboard.tags?.includes("firedrill")) err('is not tagged "firedrill"');

  const vars = dashboard.templating?.list ?? [];
  const ds = vars.find((v) => v.name === "datasource");
  if (!ds || ds.type !== "datasource" || ds.query !== "prometheus") err("has no `datasource` variable of type datasource (prometheus)");
  for (const v of vars) {
    if (v.name === "datasource") continue;
    if (v.current?.value === undefined || v.current.value === "") err(`variable ${v.name} has no default`);
    if (!/Default: /.test(v.description ?? "")) err(`variable ${v.name} does not document its default in its description`);
  }

  const ids = new Map();
  const boxes = [];
  for (const p of allPanels(dashboard)) {
    const where = `panel ${p.id} "${p.title}"`;
    if (!Number.isInteger(p.id)) err(`${where}: no integer id`);
    else if (ids.has(p.id)) err(`${where}: id ${p.id} also used by "${ids.get(p.id)}"`);
    else ids.set(p.id, p.title);
    if (!p.title) err(`${where}: no title`);
    const g = p.gridPos;
    if (!g || ![g.x, g.y, g.w, g.h].every(Number.isInteger) || g.x + g.w > 24) err(`${where}: bad gridPos`);
    else {
      for (const b of boxes)
        if (g.x < b.g.x + b.g.w && b.g.x < g.x + g.w && g.y < b.g.y + b.g.h && b.g.y < g.y + g.h) err(`${where}: overlaps "${b.title}"`);
      boxes.push({ g, title: p.title });
    }
    if (p.type === "row") continue;
    const targets = p.targets ?? [];
    if (!targets.length || targets.some((t) => !t.expr?.trim())) err(`${where}: a panel needs at least one query, and every target an expr`);
    const refIds = targets.map((t) => t.refId);
    if (new Set(refIds).size !== refIds.length || refIds.some((r) => !r)) err(`${where}: refIds missing or not unique`);
    for (const [what, ref] of [["panel", p.datasource], ...targets.map((t) => [`target ${t.refId}`, t.datasource])]) {
      const uid = typeof ref === "string" ? ref : ref?.uid;
      if (!DATASOURCE_REF.has(uid)) err(`${where}: ${what} datasource ${JSON.stringify(ref)} is not the $datasource variable`);
    }
    for (const t of targets) {
      try {
        substitute(t.expr ?? "", dashboard);
      } catch (e) {
        err(`${where}: ${e.message}`);
      }
    }
  }
  // Anything that looks like a data source uid, anywhere, must be the variable.
  JSON.stringify(dashboard, (k, v) => {
    if (k === "datasource" && typeof v === "object" && v && v.uid && !DATASOURCE_REF.has(v.uid)) err(`hard-coded datasource uid ${v.uid}`);
    return v;
  });
  return errors;
}

/** Names of recording rules (level:metric:operation) read by a PromQL expression. */
export function recordingRulesUsed(expr) {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, "{}").replace(/\[[^\]]*\]/g, "[]");
  return [...new Set(bare.match(/[a-zA-Z_][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*/g) ?? [])];
}
