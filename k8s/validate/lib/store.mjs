// mock-slack's alert history in a cluster: a SQLite file has exactly one writer, so only a
// one-replica StatefulSet (its own volume) may use one; more replicas, or a Deployment, must share a
// PostgreSQL database (mock-slack/README.md), read from a Secret, and have a PodDisruptionBudget.
import { id, podTemplateOf } from "./policy.mjs";

const POSTGRES_URI = /^postgres(ql)?:\/\//;
/** A password in a libpq URI: postgresql://user:secret@host or ...?password=secret. */
const URI_PASSWORD = /^postgres(ql)?:\/\/[^/@]*:[^/@]*@|[?&]password=/;

const matches = (selector, labels) => !!selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** A container of mock-slack: its image, or any MOCKSLACK_* setting. */
function isMockSlack(c) {
  const name = (c.image ?? "").split("@")[0].replace(/:[^/:]*$/, "");
  return name.split("/").pop() === "mock-slack" || (c.env ?? []).some((e) => e.name.startsWith("MOCKSLACK_"));
}

/** The volume mounted at the directory holding file, and the key it maps to that file, if any. */
function mountedSecretKey(spec, c, file) {
  const mount = (c.volumeMounts ?? [])
    .filter((m) => file.startsWith(m.mountPath.replace(/\/?$/, "/")))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount || mount.subPath) return undefined;
  const volume = (spec.volumes ?? []).find((v) => v.name === mount.name);
  const rel = file.slice(mount.mountPath.replace(/\/?$/, "/").length);
  const secret = volume?.secret;
  if (!secret) return undefined;
  const items = secret.items ?? [];
  const key = items.length ? items.find((i) => i.path === rel)?.key : rel;
  return key === undefined ? undefined : { secretName: secret.secretName, key, volume: volume.name };
}

/** Errors as { object, message }. */
export function storeErrors(objects) {
  const errors = [];
  for (const o of objects) {
    const template = podTemplateOf(o);
    if (!template || o.kind === "Job" || o.kind === "CronJob") continue;
    const spec = template.spec ?? {};
    for (const c of (spec.containers ?? []).filter(isMockSlack)) {
      const report = (message) => errors.push({ object: id(o), message: `container ${c.name}: ${message}` });
      const env = (name) => (c.env ?? []).find((e) => e.name === name);
      const db = env("MOCKSLACK_DB");
      const urlFile = env("MOCKSLACK_DB_URL_FILE");
      if (db && urlFile) report("MOCKSLACK_DB and MOCKSLACK_DB_URL_FILE exclude each other (mock-slack refuses to start)");
      if (db?.value !== undefined && URI_PASSWORD.test(db.value))
        report("MOCKSLACK_DB holds a password in the pod spec: put the URI in a Secret and set MOCKSLACK_DB_URL_FILE");
      if (urlFile) {
        const file = urlFile.value ?? "";
        if (!file.startsWith("/")) report(`MOCKSLACK_DB_URL_FILE "${file}" is not an absolute path`);
        else if (!mountedSecretKey(spec, c, file)) report(`MOCKSLACK_DB_URL_FILE ${file} is not a key of a mounted Secret volume`);
      }
      // MOCKSLACK_DB from valueFrom may hold anything: only a literal URI or the URL file prove it.
      const postgres = !!urlFile || (db?.value !== undefined && POSTGRES_URI.test(db.value));
      const replicas = o.spec?.replicas ?? 1;
      if (!postgres) {
        const where = db?.valueFrom ? "a MOCKSLACK_DB from valueFrom (not provably PostgreSQL)" : db?.value ? `SQLite file ${db.value}` : "the default SQLite file";
        if (o.kind !== "StatefulSet") report(`a ${o.kind} on ${where}: a SQLite history needs a one-replica StatefulSet; use PostgreSQL (MOCKSLACK_DB_URL_FILE)`);
        else if (replicas > 1) report(`${replicas} replicas on ${where}: SQLite has one writer; use PostgreSQL (MOCKSLACK_DB_URL_FILE)`);
      }
      if (replicas > 1) {
        const ns = o.metadata?.namespace;
        const pdbs = objects.filter(
          (p) => p.kind === "PodDisruptionBudget" && p.metadata?.namespace === ns && matches(p.spec?.selector?.matchLabels, template.metadata?.labels),
        );
        if (!pdbs.length) report(`${replicas} replicas and no PodDisruptionBudget: a drain may evict them all at once`);
        for (const p of pdbs) {
          const min = p.spec?.minAvailable;
          const max = p.spec?.maxUnavailable;
          // The budget must keep one replica receiving and still let a drain evict one.
          const allowed = typeof min === "number" ? replicas - min : typeof max === "number" ? max : undefined;
          if (allowed !== undefined && allowed < 1) report(`${id(p)}: allows no eviction of ${replicas} replicas: a drain would wait forever`);
          if (allowed !== undefined && allowed >= replicas) report(`${id(p)}: lets a drain evict all ${replicas} replicas`);
        }
      }
    }
  }
  return errors;
}
