// Policy checks on a rendered overlay: what a reviewer would otherwise check by hand.
import { cronPeriodSeconds, durationSeconds, parseImage, quantityValue } from "./units.mjs";
import { APP_SECRET_KEYS, clusterOfAppSecret } from "./cloudnativepg.mjs";

export const id = (o) => `${o.kind}/${o.metadata?.namespace ? o.metadata.namespace + "/" : ""}${o.metadata?.name}`;

const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "CustomResourceDefinition"]);
const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

/** The pod template of a workload, or undefined. */
export function podTemplateOf(o) {
  if (LONG_RUNNING.has(o.kind) || o.kind === "Job") return o.spec?.template;
  if (o.kind === "CronJob") return o.spec?.jobTemplate?.spec?.template;
  return undefined;
}

const matches = (selector, labels) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

function find(objects, kind, name, namespace) {
  return objects.find((o) => o.kind === kind && o.metadata?.name === name && (o.metadata?.namespace ?? undefined) === namespace);
}

function containerChecks(o, pod, c, isInit, report) {
  const where = `${isInit ? "initContainer" : "container"} ${c.name}`;
  const img = parseImage(c.image ?? "");
  if (!c.image) report(`${where}: no image`);
  else if (!img.digest && (!img.tag || img.tag === "latest"))
    report(`${where}: image "${c.image}" is not pinned (needs a version tag other than latest, or a digest)`);

  const res = c.resources ?? {};
  for (const kind of ["requests", "limits"])
    for (const r of ["cpu", "memory"])
      if (res[kind]?.[r] === undefined) report(`${where}: resources.${kind}.${r} is missing`);
      else if (Number.isNaN(quantityValue(res[kind][r]))) report(`${where}: resources.${kind}.${r} "${res[kind][r]}" is not a quantity`);
  for (const r of ["cpu", "memory"]) {
    const req = quantityValue(res.requests?.[r]);
    const lim = quantityValue(res.limits?.[r]);
    if (req > lim) report(`${where}: resources.requests.${r} exceeds resources.limits.${r}`);
  }

  const longRunning = LONG_RUNNING.has(o.kind) && !isInit;
  const ports = c.ports ?? [];
  if (longRunning) {
    // Jobs are exempt: a run-to-completion container has activeDeadlineSeconds instead.
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      const p = c[probe];
      if (!p) {
        report(`${where}: ${probe} is missing`);
        continue;
      }
      const port = p.httpGet?.port ?? p.tcpSocket?.port ?? p.grpc?.port;
      if (port === undefined && !p.exec) report(`${where}: ${probe} has no handler`);
      if (typeof port === "string" && !ports.some((cp) => cp.name === port))
        report(`${where}: ${probe} uses port "${port}", which the container does not declare`);
      if (typeof port === "number" && !ports.some((cp) => cp.containerPort === port))
        report(`${where}: ${probe} uses port ${port}, which the container does not declare`);
    }
  }

  const podSc = pod.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const eff = (k) => (sc[k] !== undefined ? sc[k] : podSc[k]);
  if (eff("runAsNonRoot") !== true) report(`${where}: runAsNonRoot is not true`);
  if (eff("runAsUser") === 0) report(`${where}: runAsUser is 0 (root)`);
  if (sc.readOnlyRootFilesystem !== true) report(`${where}: securityContext.readOnlyRootFilesystem is not true`);
  if (sc.allowPrivilegeEscalation !== false) report(`${where}: securityContext.allowPrivilegeEscalation is not false`);
  if (sc.privileged === true) report(`${where}: privileged`);
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) report(`${where}: capabilities do not drop ALL`);
  if ((sc.capabilities?.add ?? []).length) report(`${where}: adds capabilities ${sc.capabilities.add.join(",")}`);
  const seccomp = eff("seccompProfile")?.type;
  if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") report(`${where}: seccompProfile is not RuntimeDefault`);

  // The service's own drain delay and the kubelet's preStop sleep are one setting in two places.
  const drainEnv = (c.env ?? []).find((e) => /_DRAIN_DELAY$/.test(e.name));
  const sleep = c.lifecycle?.preStop?.sleep?.seconds;
  if (drainEnv && longRunning) {
    const drain = durationSeconds(drainEnv.value);
    if (Number.isNaN(drain)) report(`${where}: ${drainEnv.name} "${drainEnv.value}" is not a duration`);
    else if (sleep === undefined) report(`${where}: ${drainEnv.name} is set but there is no lifecycle.preStop.sleep drain`);
    else {
      if (sleep !== drain) report(`${where}: preStop sleep ${sleep}s does not match ${drainEnv.name}=${drainEnv.value}`);
      const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
      if (grace <= sleep + drain) report(`${where}: terminationGracePeriodSeconds ${grace} leaves no time after preStop ${sleep}s + drain ${drain}s`);
    }
  }

  const volumes = new Set([
    ...(pod.spec?.volumes ?? []).map((v) => v.name),
    ...(o.kind === "StatefulSet" ? (o.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name) : []),
  ]);
  for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) report(`${where}: volumeMount "${m.name}" has no volume`);
  return { env: c.env ?? [] };
}

/**
 * Policy errors as { object, message }. options.externalSecrets: Secret names provisioned outside
 * the overlay; options.forbidPlaceholderSecrets: fail on Secrets annotated firedrill.dev/placeholder;
 * options.alertWindowSeconds: the longest batch-sync alert window (finished Jobs must outlive it);
 * options.partial: the rendering is completed by overlays (base), Services it lacks are not errors.
 */
export function policyErrors(objects, options = {}) {
  const errors = [];
  const externalSecrets = new Set(options.externalSecrets ?? []);
  const seen = new Set();
  for (const o of objects) {
    const report = (message) => errors.push({ object: id(o), message });
    const key = `${o.apiVersion}/${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`;
    if (seen.has(key)) report("rendered twice");
    seen.add(key);
    if (!CLUSTER_SCOPED.has(o.kind) && !o.metadata?.namespace) report("has no namespace");
    if (o.metadata?.labels?.["app.kubernetes.io/part-of"] !== "firedrill") report('label app.kubernetes.io/part-of is not "firedrill"');

    const template = podTemplateOf(o);
    if (template) {
      const pod = { securityContext: template.spec?.securityContext, spec: template.spec };
      const ns = o.metadata?.namespace;
      const spec = template.spec ?? {};
      for (const [list, isInit] of [[spec.containers ?? [], false], [spec.initContainers ?? [], true]])
        for (const c of list) {
          const { env } = containerChecks(o, pod, c, isInit, report);
          for (const e of env) {
            const s = e.valueFrom?.secretKeyRef;
            if (s && !s.optional) checkSecretRef(objects, s.name, s.key, ns, externalSecrets, `env ${e.name}`, report);
            const target = serviceUrlTarget(e.value, ns);
            if (target && objects.some((x) => x.metadata?.namespace === target.namespace)) {
              const svc = find(objects, "Service", target.name, target.namespace);
              // A partial kustomization (base) leaves some Services to its overlays.
              if (svc ? !(svc.spec?.ports ?? []).some((p) => p.port === target.port) : !options.partial)
                report(`env ${e.name}: ${e.value} is not a rendered Service port`);
            }
            const cm = e.valueFrom?.configMapKeyRef;
            if (cm && !cm.optional && !find(objects, "ConfigMap", cm.name, ns)) report(`env ${e.name}: ConfigMap ${cm.name} is not rendered`);
          }
        }
      const saName = spec.serviceAccountName ?? "default";
      const sa = find(objects, "ServiceAccount", saName, ns);
      if (saName !== "default" && !sa) report(`serviceAccountName ${saName} is not rendered`);
      const automount = spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken;
      if (automount !== false) report("mounts a service account token (automountServiceAccountToken is not false)");
      for (const v of spec.volumes ?? []) {
        if (v.configMap && !v.configMap.optional && !find(objects, "ConfigMap", v.configMap.name, ns))
          report(`volume ${v.name}: ConfigMap ${v.configMap.name} is not rendered`);
        if (v.secret && !v.secret.optional) {
          const keys = (v.secret.items ?? []).map((i) => i.key);
          for (const key of keys.length ? keys : [undefined]) checkSecretRef(objects, v.secret.secretName, key, ns, externalSecrets, `volume ${v.name}`, report);
        }
        if (v.persistentVolumeClaim && !find(objects, "PersistentVolumeClaim", v.persistentVolumeClaim.claimName, ns))
          report(`volume ${v.name}: PersistentVolumeClaim ${v.persistentVolumeClaim.claimName} is not rendered`);
      }
      if (!matches(o.spec?.selector?.matchLabels, template.metadata?.labels) && o.kind !== "CronJob" && o.kind !== "Job")
        report("spec.selector.matchLabels does not match the pod template labels");
    }

    if (o.kind === "CronJob") cronJobChecks(o, options, report);
    if (o.kind === "Service") serviceChecks(objects, o, report);
    if (o.kind === "PodDisruptionBudget") {
      const targets = workloadsSelectedBy(objects, o.spec?.selector?.matchLabels, o.metadata?.namespace);
      if (!targets.length) report("selects no workload");
    }
    if (o.kind === "HorizontalPodAutoscaler") {
      const ref = o.spec?.scaleTargetRef ?? {};
      const target = find(objects, ref.kind, ref.name, o.metadata?.namespace);
      if (!target) report(`scaleTargetRef ${ref.kind}/${ref.name} is not rendered`);
      if (!(o.spec?.minReplicas >= 1 && o.spec.minReplicas <= o.spec.maxReplicas)) report("needs 1 <= minReplicas <= maxReplicas");
      const replicas = target?.spec?.replicas;
      if (replicas !== undefined && (replicas < o.spec?.minReplicas || replicas > o.spec?.maxReplicas))
        report(`target replicas ${replicas} outside [minReplicas, maxReplicas]`);
    }
    if (o.kind === "AlertmanagerConfig") alertmanagerConfigChecks(objects, o, externalSecrets, report);
    if (o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding") report("Firedrill needs no cluster-wide RBAC: use a namespaced Role");
    if (o.kind === "Role") roleChecks(o, report);
    if (o.kind === "RoleBinding" && o.roleRef?.kind !== "Role") report(`binds ${o.roleRef?.kind} ${o.roleRef?.name}: bind only a namespaced Role`);
    if (o.kind === "Secret" && options.forbidPlaceholderSecrets && o.metadata?.annotations?.["firedrill.dev/placeholder"] === "true")
      report("is a development placeholder; this overlay must take it from the cluster's secret store");
  }

  const namespaces = new Set(objects.filter((o) => podTemplateOf(o)).map((o) => o.metadata?.namespace));
  for (const ns of namespaces) {
    const denyAll = objects.some(
      (o) => o.kind === "NetworkPolicy" && o.metadata?.namespace === ns &&
        Object.keys(o.spec?.podSelector ?? {}).length === 0 &&
        ["Ingress", "Egress"].every((t) => o.spec?.policyTypes?.includes(t)) &&
        !o.spec?.ingress?.length && !o.spec?.egress?.length,
    );
    if (!denyAll) errors.push({ object: `Namespace/${ns}`, message: "no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)" });
  }
  return errors;
}

/**
 * { name, namespace, port } of an in-cluster Service URL ("http://svc:port",
 * "http://svc.ns.svc:port"...), or undefined for anything else (external hosts, no port).
 */
function serviceUrlTarget(value, namespace) {
  const m = /^https?:\/\/([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?:(\d+)(?:\/.*)?$/.exec(value ?? "");
  return m ? { name: m[1], namespace: m[2] ?? namespace, port: Number(m[3]) } : undefined;
}

function checkSecretRef(objects, name, key, ns, externalSecrets, where, report) {
  if (externalSecrets.has(name)) return;
  // A CloudNativePG Cluster of the rendering generates its owner's <cluster>-app Secret.
  if (!find(objects, "Secret", name, ns) && clusterOfAppSecret(objects, name, ns)) {
    if (key && !APP_SECRET_KEYS.has(key)) report(`${where}: Secret ${name} (generated by Cluster ${name.replace(/-app$/, "")}) has no key ${key}`);
    return;
  }
  const secret = find(objects, "Secret", name, ns);
  if (!secret) return report(`${where}: Secret ${name} is not rendered (nor declared external)`);
  if (key && !(key in (secret.data ?? {})) && !(key in (secret.stringData ?? {}))) report(`${where}: Secret ${name} has no key ${key}`);
}

function workloadsSelectedBy(objects, selector, ns) {
  return objects.filter((w) => w.metadata?.namespace === ns && LONG_RUNNING.has(w.kind) && matches(selector, podTemplateOf(w)?.metadata?.labels));
}

function serviceChecks(objects, svc, report) {
  const selector = svc.spec?.selector;
  if (!selector) return; // selector-less Services point at external endpoints
  const pods = workloadsSelectedBy(objects, selector, svc.metadata?.namespace).map(podTemplateOf);
  if (!pods.length) return report("selector matches no workload's pods");
  for (const p of svc.spec?.ports ?? []) {
    const target = p.targetPort ?? p.port;
    const ok = pods.every((pod) =>
      (pod.spec?.containers ?? []).some((c) => (c.ports ?? []).some((cp) => (typeof target === "string" ? cp.name === target : cp.containerPort === target))),
    );
    if (!ok) report(`port ${p.name ?? p.port}: targetPort ${target} is not a container port of the selected pods`);
  }
}

function cronJobChecks(o, options, report) {
  const spec = o.spec ?? {};
  const job = spec.jobTemplate?.spec ?? {};
  const period = cronPeriodSeconds(spec.schedule);
  if (period === undefined) report(`schedule "${spec.schedule}" is not one whose period the validator can compute`);
  if (spec.concurrencyPolicy !== "Forbid") report("concurrencyPolicy is not Forbid");
  if (!(spec.startingDeadlineSeconds > 0)) report("startingDeadlineSeconds is not set");
  else if (period !== undefined && spec.startingDeadlineSeconds >= period) report("startingDeadlineSeconds is not below the schedule period");
  for (const k of ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"]) if (spec[k] === undefined) report(`${k} is not set`);
  if (job.backoffLimit === undefined) report("jobTemplate.spec.backoffLimit is not set");
  if (!(job.activeDeadlineSeconds > 0)) report("jobTemplate.spec.activeDeadlineSeconds is not set");
  else if (period !== undefined && job.activeDeadlineSeconds >= period)
    report(`activeDeadlineSeconds ${job.activeDeadlineSeconds} is not below the schedule period ${period}s`);
  const ttl = job.ttlSecondsAfterFinished;
  const window = options.alertWindowSeconds ?? 0;
  if (ttl === undefined) report("jobTemplate.spec.ttlSecondsAfterFinished is not set");
  else if (!(ttl > window && ttl > (period ?? 0)))
    report(`ttlSecondsAfterFinished ${ttl} is not longer than the alert window (${window}s) and the schedule period`);
  for (const c of job.template?.spec?.containers ?? []) {
    const deadline = (c.env ?? []).find((e) => /_DEADLINE$/.test(e.name));
    if (deadline && job.activeDeadlineSeconds && !(durationSeconds(deadline.value) < job.activeDeadlineSeconds))
      report(`container ${c.name}: ${deadline.name}=${deadline.value} is not below activeDeadlineSeconds`);
  }
}

/**
 * The most each Role may grant, as "apiGroup/resource/verb" (core group ""). A Role not listed
 * here, a wildcard, resourceNames or nonResourceURLs make the check fail: widening a Role means
 * widening this table in review.
 */
export const ROLE_LIMITS = {
  "auto-healer": new Set(["/pods/get", "/pods/list", "apps/deployments/get", "apps/deployments/list", "apps/deployments/patch", "/events/create"]),
};

function roleChecks(role, report) {
  const limit = ROLE_LIMITS[role.metadata?.name];
  if (!limit) return report("is not in the validator's ROLE_LIMITS (k8s/validate/lib/policy.mjs)");
  (role.rules ?? []).forEach((rule, i) => {
    if (rule.nonResourceURLs?.length) report(`rules[${i}]: nonResourceURLs are not allowed`);
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs ?? []) {
          const grant = `${group}/${resource}/${verb}`;
          if (!limit.has(grant)) report(`rules[${i}]: grants ${verb} on ${group || "core"}/${resource}, wider than its limit`);
        }
  });
}

/** Webhook receivers must reach a rendered Service port, with a token from a known Secret. */
function alertmanagerConfigChecks(objects, amc, externalSecrets, report) {
  for (const r of amc.spec?.receivers ?? [])
    for (const w of r.webhookConfigs ?? []) {
      let url;
      try {
        url = new URL(w.url);
      } catch {
        report(`receiver ${r.name}: webhook url "${w.url}" is not a URL`);
        continue;
      }
      const [svcName, svcNs = amc.metadata?.namespace] = url.hostname.split(".");
      const svc = find(objects, "Service", svcName, svcNs);
      if (!svc || !(svc.spec?.ports ?? []).some((p) => p.port === Number(url.port || 80)))
        report(`receiver ${r.name}: ${url.host} is not a rendered Service port`);
      const cred = w.httpConfig?.authorization?.credentials;
      if (!cred) report(`receiver ${r.name}: webhook has no authorization credentials`);
      else checkSecretRef(objects, cred.name, cred.key, amc.metadata?.namespace, externalSecrets, `receiver ${r.name}`, report);
    }
}
