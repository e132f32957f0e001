// Every link an alert carries must reach something that exists where the rules go: the runbook_url
// and dashboard_url annotations of the rendered rules, and the external URLs of Prometheus (the
// generatorURL of each alert), Alertmanager (the silence links) and Grafana (its root_url). These
// are also the link targets of mock-slack's pages, which show what the alerts carry.
import fs from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { id, podTemplateOf } from "./policy.mjs";
import { loadDashboards } from "./dashboards.mjs";

/** The Services of kube-prometheus-stack (release kube-prometheus-stack, namespace monitoring) that
 * the operator overlays may link to. Not rendered by Firedrill: they are the chart's (k8s/README.md,
 * "Operator overlay assumptions"). */
export const KUBE_PROMETHEUS_STACK = [
  { name: "kube-prometheus-stack-grafana", namespace: "monitoring", port: 80, app: "grafana" },
  { name: "kube-prometheus-stack-prometheus", namespace: "monitoring", port: 9090, app: "prometheus" },
  { name: "kube-prometheus-stack-alertmanager", namespace: "monitoring", port: 9093, app: "alertmanager" },
  { name: "alertmanager-operated", namespace: "monitoring", port: 9093, app: "alertmanager" },
];

/** The UI routes a link may take, per application ("" is the root). */
const ROUTES = {
  prometheus: [/^\/?$/, /^\/graph$/, /^\/alerts$/, /^\/rules$/, /^\/targets$/],
  alertmanager: [/^\/?$/],
  grafana: [/^\/?$/, /^\/d\/[^/]+(\/[^/]+)?$/],
  "mock-slack": [/^\/runbooks\/[A-Za-z0-9]+$/],
};
/** Which application each kind of link must reach. */
const ROLE = { runbook_url: "mock-slack", dashboard_url: "grafana" };

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/** The alert rules of a rendering: from prometheus-rules ConfigMaps and PrometheusRules. */
export function renderedAlerts(objects) {
  const files = [];
  for (const cm of objects.filter((o) => o.kind === "ConfigMap" && /^prometheus-rules(-[a-z0-9]+)?$/.test(o.metadata.name)))
    for (const [key, text] of Object.entries(cm.data ?? {})) files.push({ where: `${id(cm)} ${key}`, parsed: yaml.load(text) });
  for (const pr of objects.filter((o) => o.kind === "PrometheusRule")) files.push({ where: id(pr), parsed: pr.spec });
  return files.flatMap(({ where, parsed }) =>
    (parsed?.groups ?? []).flatMap((g) => (g.rules ?? []).filter((r) => r.alert).map((rule) => ({ where: `${where}: alert ${rule.alert}`, rule }))),
  );
}

/** A container's env value, following configMapKeyRef into the rendered ConfigMaps. */
function envValue(objects, container, name) {
  const e = (container.env ?? []).find((x) => x.name === name);
  if (!e) return undefined;
  if (e.value !== undefined) return e.value;
  const ref = e.valueFrom?.configMapKeyRef;
  return ref && objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === ref.name)?.data?.[ref.key];
}

/** The external URLs the rendering gives its own Prometheus, Alertmanager and Grafana. */
export function renderedExternalUrls(objects) {
  const urls = [];
  for (const o of objects.filter((x) => podTemplateOf(x))) {
    for (const c of podTemplateOf(o).spec.containers ?? []) {
      const expand = (s) => s.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v) => envValue(objects, c, v) ?? m);
      for (const arg of c.args ?? []) {
        const m = /^--web\.external-url=(.*)$/.exec(arg);
        if (m) urls.push({ where: `${id(o)}: container ${c.name} --web.external-url`, url: expand(m[1]), app: o.metadata.name });
      }
      const root = envValue(objects, c, "GF_SERVER_ROOT_URL");
      if (root !== undefined) urls.push({ where: `${id(o)}: container ${c.name} GF_SERVER_ROOT_URL`, url: root, app: "grafana" });
    }
  }
  return urls;
}

/** The external URLs of a kube-prometheus-stack values file (slo-rules' generated one). */
export function helmValuesUrls(file) {
  const v = yaml.load(fs.readFileSync(file, "utf8"));
  const where = path.basename(file);
  return [
    { where: `${where}: prometheus.prometheusSpec.externalUrl`, url: v?.prometheus?.prometheusSpec?.externalUrl, app: "prometheus" },
    { where: `${where}: alertmanager.alertmanagerSpec.externalUrl`, url: v?.alertmanager?.alertmanagerSpec?.externalUrl, app: "alertmanager" },
    { where: `${where}: grafana.grafana.ini.server.root_url`, url: v?.grafana?.["grafana.ini"]?.server?.root_url, app: "grafana" },
  ];
}

/** The dashboard uids a rendering ships (Grafana provisioning or sidecar ConfigMaps). */
function shippedUids(objects) {
  const uids = new Set();
  for (const cm of objects.filter((o) => o.kind === "ConfigMap"))
    for (const [key, text] of Object.entries(cm.data ?? {}))
      if (key.endsWith(".json"))
        try {
          const uid = JSON.parse(text).uid;
          if (uid) uids.add(uid);
        } catch {
          // not a dashboard
        }
  return uids;
}

/**
 * { errors: ["where: message"], checked: number of links followed }. options: { repoRoot, local (links of the local stack: loopback
 * expected, no Services to resolve), extraUrls ([{where, url, app}]) }.
 */
export function linkErrors(objects, options) {
  const errors = [];
  const runbooksDir = path.join(options.repoRoot, "runbooks");
  const dashboards = loadDashboards(path.join(options.repoRoot, "dashboards"));
  const uids = new Set([...dashboards.values()].map((d) => d.uid));
  const shipped = options.local ? uids : shippedUids(objects);
  const services = objects.filter((o) => o.kind === "Service");
  const operator = objects.some((o) => /^monitoring\.coreos\.com\//.test(o.apiVersion ?? ""));
  const known = operator ? KUBE_PROMETHEUS_STACK : [];

  // The application a URL's host:port reaches, or an error message.
  const resolve = (url) => {
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    if (LOOPBACK.test(url.hostname)) return options.local ? { app: undefined } : { error: "points at loopback: in a pod that is the pod itself" };
    if (options.local) return { error: "does not point at loopback, where the local stack listens" };
    const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(url.hostname);
    if (!m) return { error: `host ${url.hostname} is not a Service name (<service>.<namespace>.svc[.cluster.local])` };
    const [, name, namespace] = m;
    const svc = services.find((s) => s.metadata.name === name && (s.metadata.namespace ?? namespace) === namespace);
    if (svc) {
      if (!(svc.spec?.ports ?? []).some((p) => p.port === port)) return { error: `Service ${namespace}/${name} has no port ${port}` };
      return { app: svc.spec?.selector?.["app.kubernetes.io/name"] };
    }
    const k = known.find((s) => s.name === name && s.namespace === namespace);
    if (!k) return { error: `Service ${namespace}/${name} is not rendered${operator ? " and is not one of kube-prometheus-stack's" : ""}` };
    if (k.port !== port) return { error: `Service ${namespace}/${name} (kube-prometheus-stack) listens on ${k.port}, not ${port}` };
    return { app: k.app };
  };

  let checked = 0;
  const check = (where, text, role, alert) => {
    checked++;
    let url;
    try {
      url = new URL(text);
    } catch {
      return errors.push(`${where}: ${JSON.stringify(text)} is not a URL`);
    }
    const target = resolve(url);
    if (target.error) return errors.push(`${where}: ${text} ${target.error}`);
    const app = target.app ?? role;
    if (target.app && target.app !== role) return errors.push(`${where}: ${text} reaches ${target.app}, not ${role}`);
    const routes = ROUTES[app] ?? [];
    if (!routes.some((r) => r.test(url.pathname))) return errors.push(`${where}: ${text}: ${url.pathname} is not a route of ${app}`);
    if (app === "mock-slack") {
      const name = url.pathname.split("/").pop();
      if (!fs.existsSync(path.join(runbooksDir, `${name}.md`))) errors.push(`${where}: ${text}: runbooks/${name}.md does not exist`);
      else if (alert && name !== alert) errors.push(`${where}: ${text} is the runbook of ${name}, not of ${alert}`);
    }
    if (app === "grafana" && url.pathname.startsWith("/d/")) {
      const uid = url.pathname.split("/")[2];
      if (!uids.has(uid)) errors.push(`${where}: ${text}: no dashboard of dashboards/ has uid ${uid}`);
      else if (!shipped.has(uid)) errors.push(`${where}: ${text}: dashboard ${uid} is not shipped by this rendering`);
    }
  };

  const alerts = renderedAlerts(objects);
  if (!alerts.length) errors.push("rendering: no alert rules to check");
  for (const { where, rule } of alerts)
    for (const [key, value] of Object.entries(rule.annotations ?? {})) {
      if (ROLE[key]) check(`${where} ${key}`, String(value), ROLE[key], rule.alert);
      else if (/^https?:\/\//.test(String(value))) errors.push(`${where} ${key}: ${value} is a link of no known kind`);
    }
  for (const { where, url, app } of [...(options.local ? [] : renderedExternalUrls(objects)), ...(options.extraUrls ?? [])]) {
    if (!url) errors.push(`${where}: not set`);
    else {
      const u = (() => {
        try {
          return new URL(url);
        } catch {
          return undefined;
        }
      })();
      if (u && u.pathname !== "/" && u.pathname !== "") errors.push(`${where}: ${url} has a path: the routes would move under it`);
      else check(where, url, app);
    }
  }
  return { errors, checked };
}
