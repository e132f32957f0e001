// One source of truth: the rules, Alertmanager routing and scrape jobs in the rendered overlays
// must be exactly what alert-rules/ says.
import fs from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import yaml from "js-yaml";
import { durationSeconds } from "./units.mjs";
import { id, podTemplateOf } from "./policy.mjs";

/** A RegExp for a Prometheus rule_files glob (only `*` and `?` are used in practice). */
const globRegExp = (glob) => new RegExp("^" + glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]") + "$");

/**
 * The source files of alert-rules/: { rules: Map(basename -> {text, parsed}), alertmanager,
 * prometheus, problems }. The rule files are the rule_files of alert-rules/prometheus.yml
 * (resolved against its directory, as Prometheus does): the same definition as the
 * PrometheusRuleGenerator plugin.
 */
export function loadSources(dir, linked) {
  const rules = new Map();
  const problems = [];
  const read = (f) => fs.readFileSync(path.join(dir, f), "utf8");
  // linked: { dir, label }: an overlay's copies of the rule files, with its links (slo-rules).
  const label = linked?.label ?? "alert-rules";
  const optional = (f) => (fs.existsSync(path.join(dir, f)) ? { text: read(f), parsed: yaml.load(read(f)) } : undefined);
  const prometheus = optional("prometheus.yml");
  if (!prometheus) problems.push("alert-rules/prometheus.yml does not exist");
  for (const entry of prometheus?.parsed?.rule_files ?? []) {
    const rel = path.relative(dir, path.resolve(dir, entry));
    const subdir = path.dirname(rel);
    const re = globRegExp(path.basename(rel));
    const matched = fs.existsSync(path.join(dir, subdir)) ? fs.readdirSync(path.join(dir, subdir)).filter((f) => re.test(f)).sort() : [];
    if (!matched.length) problems.push(`rule file ${entry} of alert-rules/prometheus.yml does not exist`);
    for (const f of matched) {
      const original = yaml.load(read(path.join(subdir, f)));
      let text = read(path.join(subdir, f));
      if (linked) {
        const copy = path.join(linked.dir, f);
        if (!fs.existsSync(copy)) {
          problems.push(`${label}/${f} does not exist: run make rules`);
          continue;
        }
        text = fs.readFileSync(copy, "utf8");
      }
      const parsed = yaml.load(text);
      if (!Array.isArray(parsed?.groups)) problems.push(`${label}/${f} has no rule groups`);
      else if (linked && !isDeepStrictEqual(withoutLinks(parsed), withoutLinks(original)))
        problems.push(`${label}/${f} differs from alert-rules/${f} in more than its links: run make rules`);
      rules.set(f, { text, parsed });
    }
  }
  return { dir, label, rules, problems, alertmanager: optional("alertmanager.yml"), prometheus };
}

/** The annotations that slo-rules rewrites per overlay. */
export const LINK_ANNOTATIONS = ["runbook_url", "dashboard_url"];

/** A parsed rule file with the link annotations removed. */
function withoutLinks(parsed) {
  const copy = structuredClone(parsed);
  for (const g of copy.groups ?? []) for (const r of g.rules ?? []) for (const a of LINK_ANNOTATIONS) if (r.annotations) delete r.annotations[a];
  return copy;
}

/** Longest window (for + largest range selector) of the alerts that read batch_sync_* metrics. */
export function batchSyncAlertWindowSeconds(sources) {
  let longest = 0;
  for (const { parsed } of sources.rules.values())
    for (const g of parsed.groups ?? [])
      for (const r of g.rules ?? []) {
        if (!r.alert || !/batch_sync_/.test(String(r.expr))) continue;
        const ranges = [...String(r.expr).matchAll(/\[([0-9a-z]+)(?::[0-9a-z]*)?\]/g)].map((m) => durationSeconds(m[1]));
        const window = (durationSeconds(r.for ?? "0s") || 0) + Math.max(0, ...ranges.filter((n) => !Number.isNaN(n)));
        longest = Math.max(longest, window);
      }
  return longest;
}

const jobNames = (promConfig) => new Set((promConfig?.scrape_configs ?? []).map((s) => s.job_name));
const setDiff = (a, b) => [...a].filter((x) => !b.has(x));

/** Errors as { object, message }. */
export function ruleErrors(objects, sources, options = {}) {
  const errors = [];
  const err = (object, message) => errors.push({ object, message });
  const ruleNames = new Set(sources.rules.keys());
  for (const p of sources.problems) err(sources.dir, p);
  if (!ruleNames.size) err(sources.dir, "no rule files found");

  // Standalone stack: ConfigMaps generated from the files.
  const configMaps = objects.filter((o) => o.kind === "ConfigMap");
  const rulesCms = configMaps.filter((o) => /^prometheus-rules(-[a-z0-9]+)?$/.test(o.metadata.name));
  for (const cm of rulesCms) {
    const keys = new Set(Object.keys(cm.data ?? {}));
    for (const f of setDiff(ruleNames, keys)) err(id(cm), `rule file alert-rules/${f} is missing`);
    for (const f of setDiff(keys, ruleNames)) err(id(cm), `key ${f} is not a rule file of alert-rules/`);
    for (const f of keys) if (ruleNames.has(f) && cm.data[f] !== sources.rules.get(f).text) err(id(cm), `${f} differs from ${sources.label ?? "alert-rules"}/${f}`);
  }
  for (const cm of configMaps.filter((o) => /^alertmanager-config(-[a-z0-9]+)?$/.test(o.metadata.name))) {
    if (!sources.alertmanager) err(id(cm), "alert-rules/alertmanager.yml does not exist");
    else if (cm.data?.["alertmanager.yml"] !== sources.alertmanager.text) err(id(cm), "alertmanager.yml differs from alert-rules/alertmanager.yml");
  }

  // Prometheus Operator: PrometheusRules generated from the files.
  const promRules = objects.filter((o) => o.kind === "PrometheusRule");
  const generated = new Map();
  for (const pr of promRules) {
    const source = pr.metadata?.annotations?.["firedrill.dev/source"];
    const file = source?.replace(/^alert-rules\//, "");
    if (!file || !sources.rules.has(file)) {
      err(id(pr), `is not generated from a rule file of alert-rules/ (annotation firedrill.dev/source: ${source})`);
      continue;
    }
    if (generated.has(file)) err(id(pr), `alert-rules/${file} is rendered twice`);
    generated.set(file, pr);
    if (!isDeepStrictEqual(pr.spec, sources.rules.get(file).parsed)) err(id(pr), `spec differs from ${sources.label ?? "alert-rules"}/${file}`);
  }
  if (promRules.length) for (const f of setDiff(ruleNames, new Set(generated.keys()))) err("PrometheusRule", `no PrometheusRule for alert-rules/${f}`);

  const prometheus = objects.find((o) => podTemplateOf(o) && o.metadata.name === "prometheus");
  const monitors = objects.filter((o) => o.kind === "ServiceMonitor" || o.kind === "PodMonitor");
  if (prometheus && !rulesCms.length) err(id(prometheus), "no prometheus-rules ConfigMap generated from alert-rules/");
  if (monitors.length && !promRules.length) err("PrometheusRule", "ServiceMonitors are rendered but no PrometheusRules");
  if (!prometheus && !monitors.length && !options.allowNoRules) err("overlay", "deploys no Prometheus and no ServiceMonitor/PodMonitor: the alert rules go nowhere");

  const sourceJobs = jobNames(sources.prometheus?.parsed);
  for (const amc of objects.filter((o) => o.kind === "AlertmanagerConfig")) alertmanagerConfigChecks(amc, sources.alertmanager?.parsed, err);
  if (prometheus) standalonePrometheusChecks(objects, prometheus, rulesCms, sourceJobs, sources, err);
  if (monitors.length) operatorMonitorChecks(objects, monitors, sourceJobs, err);
  return errors;
}

function standalonePrometheusChecks(objects, prometheus, rulesCms, sourceJobs, sources, err) {
  const spec = podTemplateOf(prometheus).spec;
  const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  const container = spec.containers.find((c) => c.name === "prometheus") ?? spec.containers[0];
  const mountOf = (pred) => (container.volumeMounts ?? []).find((m) => pred(volumes.get(m.name)));
  const configMount = mountOf((v) => /^prometheus-config/.test(v?.configMap?.name ?? ""));
  const rulesMount = mountOf((v) => rulesCms.some((cm) => cm.metadata.name === v?.configMap?.name));
  if (!rulesMount) return err(id(prometheus), "does not mount the prometheus-rules ConfigMap");
  const configCm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === volumes.get(configMount?.name)?.configMap?.name);
  const text = configCm?.data?.["prometheus.yml"];
  if (!text) return err(id(prometheus), "has no prometheus.yml from a prometheus-config ConfigMap");
  const config = yaml.load(text);
  if (!isDeepStrictEqual(config.global, sources.prometheus?.parsed?.global))
    err(id(configCm), "global differs from the global section of alert-rules/prometheus.yml");
  const ruleGlobs = config.rule_files ?? [];
  if (!ruleGlobs.some((g) => path.posix.dirname(g) === rulesMount.mountPath))
    err(id(configCm), `rule_files ${JSON.stringify(ruleGlobs)} do not read the rules mounted at ${rulesMount.mountPath}`);
  const jobs = jobNames(config);
  for (const j of setDiff(sourceJobs, jobs)) err(id(configCm), `scrape job ${j} of alert-rules/prometheus.yml is missing`);
  for (const j of setDiff(jobs, sourceJobs)) if (sourceJobs.size) err(id(configCm), `scrape job ${j} is not in alert-rules/prometheus.yml`);
  // Every in-cluster target must name a rendered Service that has the port.
  const ns = prometheus.metadata.namespace;
  const services = objects.filter((o) => o.kind === "Service" && o.metadata.namespace === ns);
  const hasPort = (svc, port) => (svc.spec?.ports ?? []).some((p) => p.port === port);
  for (const sc of config.scrape_configs ?? []) {
    for (const t of (sc.static_configs ?? []).flatMap((s) => s.targets ?? [])) {
      const [host, port] = t.split(":");
      if (host === "localhost") continue;
      const svc = services.find((s) => s.metadata.name === host.split(".")[0]);
      if (!svc || !hasPort(svc, Number(port))) err(id(configCm), `job ${sc.job_name}: target ${t} is not a rendered Service port`);
    }
    for (const d of sc.dns_sd_configs ?? [])
      for (const n of d.names ?? []) {
        const svc = services.find((s) => s.metadata.name === n.split(".")[0]);
        if (!svc || svc.spec?.clusterIP !== "None" || !hasPort(svc, d.port))
          err(id(configCm), `job ${sc.job_name}: ${n}:${d.port} is not a rendered headless Service port`);
      }
  }
  if (!objects.some((o) => o.kind === "ConfigMap" && /^alertmanager-config/.test(o.metadata.name)))
    err(id(prometheus), "no alertmanager-config ConfigMap generated from alert-rules/alertmanager.yml");
}

/** The job label each ServiceMonitor/PodMonitor endpoint produces must be a job of alert-rules/prometheus.yml. */
function operatorMonitorChecks(objects, monitors, sourceJobs, err) {
  const produced = new Set();
  for (const m of monitors) {
    const ns = m.metadata.namespace;
    const selector = m.spec?.selector?.matchLabels ?? {};
    const selected =
      m.kind === "ServiceMonitor"
        ? objects.filter((o) => o.kind === "Service" && o.metadata.namespace === ns && Object.entries(selector).every(([k, v]) => o.metadata.labels?.[k] === v))
        : objects.filter((o) => podTemplateOf(o) && o.metadata.namespace === ns && Object.entries(selector).every(([k, v]) => podTemplateOf(o).metadata?.labels?.[k] === v));
    if (!selected.length) err(id(m), "selects nothing");
    const endpoints = m.spec?.endpoints ?? m.spec?.podMetricsEndpoints ?? [];
    for (const s of selected) {
      const labels = m.kind === "ServiceMonitor" ? s.metadata.labels : podTemplateOf(s).metadata?.labels;
      let job = m.spec?.jobLabel ? labels?.[m.spec.jobLabel] : m.kind === "ServiceMonitor" ? s.metadata.name : `${ns}/${m.metadata.name}`;
      for (const ep of endpoints) {
        const ports = m.kind === "ServiceMonitor" ? (s.spec?.ports ?? []).map((p) => p.name) : podTemplateOf(s).spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.name));
        if (!ports.includes(ep.port)) err(id(m), `endpoint port "${ep.port}" is not a named port of ${id(s)}`);
        const relabel = (ep.relabelings ?? []).find((r) => r.targetLabel === "job" && (r.action ?? "replace") === "replace" && !r.sourceLabels);
        produced.add(relabel ? relabel.replacement : job);
      }
    }
  }
  // Prometheus and Alertmanager scrape themselves in kube-prometheus-stack.
  for (const j of setDiff(sourceJobs, new Set([...produced, "prometheus", "alertmanager"]))) err("ServiceMonitor/PodMonitor", `nothing produces scrape job ${j} of alert-rules/prometheus.yml`);
  for (const j of produced) if (sourceJobs.size && !sourceJobs.has(j)) err("ServiceMonitor/PodMonitor", `job ${j} is not in alert-rules/prometheus.yml`);
}

/**
 * The operator's AlertmanagerConfig re-expresses alert-rules/alertmanager.yml's routing tree in the
 * CRD's schema: grouping, timings, the child routes' receivers and matchers, and the inhibit rules
 * must agree.
 */
function alertmanagerConfigChecks(amc, source, err) {
  if (!source) return err(id(amc), "alert-rules/alertmanager.yml does not exist");
  const route = amc.spec?.route ?? {};
  const src = source.route ?? {};
  const same = (a, b) => isDeepStrictEqual(a ?? null, b ?? null);
  if (!same(route.groupBy, src.group_by)) err(id(amc), `route.groupBy ${JSON.stringify(route.groupBy)} differs from group_by ${JSON.stringify(src.group_by)}`);
  for (const [mine, theirs] of [["groupWait", "group_wait"], ["groupInterval", "group_interval"], ["repeatInterval", "repeat_interval"]])
    if (!same(route[mine], src[theirs])) err(id(amc), `route.${mine} ${route[mine]} differs from ${theirs} ${src[theirs]}`);
  if (route.receiver !== src.receiver) err(id(amc), `route.receiver ${route.receiver} differs from ${src.receiver}`);
  const matcherText = (m) => `${m.name}${m.matchType ?? "="}${JSON.stringify(m.value)}`;
  const normalise = (m) => String(m).replace(/\s+/g, "");
  const mineRoutes = (route.routes ?? []).map((r) => `${r.receiver}:${(r.matchers ?? []).map(matcherText).join(",")}`);
  const srcRoutes = (src.routes ?? []).map((r) => `${r.receiver}:${(r.matchers ?? []).map(normalise).join(",")}`);
  if (!same(mineRoutes, srcRoutes)) err(id(amc), `child routes ${JSON.stringify(mineRoutes)} differ from ${JSON.stringify(srcRoutes)}`);
  const srcReceivers = new Set((source.receivers ?? []).map((r) => r.name));
  const mineReceivers = new Set((amc.spec?.receivers ?? []).map((r) => r.name));
  if (!same([...mineReceivers].sort(), [...srcReceivers].sort())) err(id(amc), `receivers ${[...mineReceivers]} differ from ${[...srcReceivers]}`);
  const inhibit = (amc.spec?.inhibitRules ?? []).map((r) => ({ source: (r.sourceMatch ?? []).map(matcherText), target: (r.targetMatch ?? []).map(matcherText), equal: r.equal ?? [] }));
  const srcInhibit = (source.inhibit_rules ?? []).map((r) => ({ source: (r.source_matchers ?? []).map(normalise), target: (r.target_matchers ?? []).map(normalise), equal: r.equal ?? [] }));
  if (!same(inhibit, srcInhibit)) err(id(amc), `inhibitRules ${JSON.stringify(inhibit)} differ from inhibit_rules ${JSON.stringify(srcInhibit)}`);
}
