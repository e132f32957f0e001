// CloudNativePG (postgresql.cnpg.io) in a rendering: the ha overlay's example database
// (k8s/overlays/ha/examples/cloudnativepg). No npm package carries the Cluster CRD's schema: a
// hand-written tree of the fields Firedrill uses (lib/schema.mjs, fieldTreeErrors), the enums of
// those fields, and the Secret the operator generates for the database's owner.

/** Fields of a CloudNativePG Cluster that Firedrill uses (API reference, postgresql.cnpg.io/v1). */
export const CNPG_CLUSTER = {
  apiVersion: "string",
  kind: "string",
  metadata: { name: "string", namespace: "string", labels: "map", annotations: "map" },
  spec: {
    description: "string",
    instances: "number",
    imageName: "string",
    primaryUpdateStrategy: "string",
    primaryUpdateMethod: "string",
    enableSuperuserAccess: "boolean",
    bootstrap: { initdb: { database: "string", owner: "string", secret: { name: "string" } } },
    postgresql: {
      parameters: "map",
      synchronous: { method: "string", number: "number", dataDurability: "string" },
    },
    affinity: { enablePodAntiAffinity: "boolean", topologyKey: "string", podAntiAffinityType: "string" },
    storage: { size: "string", storageClass: "string" },
    resources: { requests: "map", limits: "map" },
    monitoring: { enablePodMonitor: "boolean" },
  },
};

const ENUMS = {
  "spec.primaryUpdateStrategy": ["unsupervised", "supervised"],
  "spec.primaryUpdateMethod": ["restart", "switchover"],
  "spec.postgresql.synchronous.method": ["any", "first"],
  "spec.postgresql.synchronous.dataDurability": ["required", "preferred"],
  "spec.affinity.podAntiAffinityType": ["preferred", "required"],
};

/** Keys of the <cluster>-app Secret (basic-auth) the operator generates for the database's owner. */
export const APP_SECRET_KEYS = new Set(["username", "password", "host", "port", "dbname", ".pgpass", "uri", "jdbc-uri"]);

const isCluster = (o) => o.apiVersion === "postgresql.cnpg.io/v1" && o.kind === "Cluster";

/**
 * The Cluster whose operator-generated Secret `name` is (<cluster>-app, unless its initdb names a
 * Secret of its own), in namespace ns, or undefined.
 */
export function clusterOfAppSecret(objects, name, ns) {
  return objects.find(
    (o) => isCluster(o) && o.metadata?.namespace === ns && `${o.metadata?.name}-app` === name && !o.spec?.bootstrap?.initdb?.secret,
  );
}

/** Errors of the Clusters as { object, message }: enums and counts the field tree cannot express. */
export function cloudnativepgErrors(objects) {
  const errors = [];
  for (const o of objects.filter(isCluster)) {
    const report = (message) => errors.push({ object: `Cluster/${o.metadata?.namespace}/${o.metadata?.name}`, message });
    for (const [where, values] of Object.entries(ENUMS)) {
      const value = where.split(".").reduce((v, k) => v?.[k], o);
      if (value !== undefined && !values.includes(value)) report(`${where}: "${value}" is not one of ${values.join(", ")}`);
    }
    const instances = o.spec?.instances ?? 1;
    if (!(Number.isInteger(instances) && instances >= 1)) report(`spec.instances ${instances} is not a positive integer`);
    const sync = o.spec?.postgresql?.synchronous;
    if (sync && !(Number.isInteger(sync.number) && sync.number >= 1 && sync.number < instances))
      report(`spec.postgresql.synchronous.number ${sync.number} needs 1 <= number < instances (${instances})`);
  }
  return errors;
}
