// Dashboards in a cluster: every dashboard of dashboards/*.json reaches a Grafana, verbatim. Either
// as ConfigMaps labelled for kube-prometheus-stack's Grafana sidecar (operator overlays) or through
// the provisioning of the overlay's own Grafana (standalone overlays).
import fs from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import yaml from "js-yaml";
import { id, podTemplateOf } from "./policy.mjs";

/** dashboards/*.json (npm's package files aside): Map(file -> { text, uid }). */
export function loadDashboards(dir) {
  const out = new Map();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json") && !f.startsWith("package")).sort()) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    out.set(f, { text, uid: JSON.parse(text).uid });
  }
  return out;
}

/** Errors as { object, message }. */
export function dashboardErrors(objects, repoRoot) {
  const errors = [];
  const err = (object, message) => errors.push({ object, message });
  const dir = path.join(repoRoot, "dashboards");
  const dashboards = loadDashboards(dir);
  const configMaps = objects.filter((o) => o.kind === "ConfigMap");
  const sidecar = configMaps.filter((o) => o.metadata?.labels?.grafana_dashboard === "1");
  const grafana = objects.find((o) => podTemplateOf(o) && o.metadata.name === "grafana");
  if (!sidecar.length && !grafana) err("overlay", "ships no dashboards: no Grafana and no ConfigMap labelled grafana_dashboard=1");

  // The keys of `cms` must be exactly dashboards/*.json, each verbatim.
  const sameDashboards = (cms, what) => {
    const seen = new Map();
    for (const cm of cms)
      for (const [key, text] of Object.entries(cm.data ?? {})) {
        if (seen.has(key)) err(id(cm), `${key} is also in ${id(seen.get(key))}`);
        seen.set(key, cm);
        if (!dashboards.has(key)) err(id(cm), `key ${key} is not a dashboard of dashboards/`);
        else if (text !== dashboards.get(key).text) err(id(cm), `${key} differs from dashboards/${key}`);
      }
    for (const f of dashboards.keys()) if (!seen.has(f)) err(what, `dashboards/${f} is not shipped`);
  };
  if (sidecar.length) sameDashboards(sidecar, "grafana_dashboard ConfigMaps");

  if (grafana) {
    const spec = podTemplateOf(grafana).spec;
    const c = spec.containers.find((x) => x.name === "grafana") ?? spec.containers[0];
    const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
    const cmAt = (mountPath) => {
      const m = (c.volumeMounts ?? []).find((x) => x.mountPath === mountPath);
      const name = m && volumes.get(m.name)?.configMap?.name;
      return name && configMaps.find((o) => o.metadata.name === name);
    };
    const prov = (c.env ?? []).find((e) => e.name === "GF_PATHS_PROVISIONING")?.value ?? "/etc/grafana/provisioning";
    const providerSource = fs.readFileSync(path.join(dir, "provisioning/dashboards/firedrill.yaml"), "utf8");
    const providers = cmAt(`${prov}/dashboards`);
    if (!providers) err(id(grafana), `mounts no ConfigMap at ${prov}/dashboards`);
    else if (providers.data?.["firedrill.yaml"] !== providerSource) err(id(providers), "firedrill.yaml differs from dashboards/provisioning/dashboards/firedrill.yaml");
    const folder = yaml.load(providerSource).providers[0].options.path;
    const shipped = cmAt(folder);
    if (!shipped) err(id(grafana), `mounts no ConfigMap at ${folder}, the dashboard provider's path`);
    else sameDashboards([shipped], id(shipped));

    const datasources = cmAt(`${prov}/datasources`);
    const source = yaml.load(fs.readFileSync(path.join(dir, "provisioning/datasources/prometheus.yaml"), "utf8"));
    if (!datasources) err(id(grafana), `mounts no ConfigMap at ${prov}/datasources`);
    else
      for (const [key, text] of Object.entries(datasources.data ?? {})) {
        const mine = yaml.load(text);
        const strip = (d) => ({ ...d, datasources: (d.datasources ?? []).map(({ url, ...rest }) => rest) });
        if (!isDeepStrictEqual(strip(mine), strip(source))) err(id(datasources), `${key} differs from dashboards/provisioning/datasources/prometheus.yaml in more than its url`);
        for (const ds of mine.datasources ?? []) {
          const m = /^https?:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:(\d+)\/?$/.exec(ds.url ?? "");
          const svc = m && objects.find((o) => o.kind === "Service" && o.metadata.name === m[1] && o.metadata.namespace === m[2]);
          if (!svc || !(svc.spec?.ports ?? []).some((p) => p.port === Number(m[3])) || svc.spec?.selector?.["app.kubernetes.io/name"] !== "prometheus")
            err(id(datasources), `${key}: data source url ${ds.url} is not a port of a rendered Prometheus Service`);
        }
      }
  }
  return errors;
}
