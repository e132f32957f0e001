// Schema validation of rendered Kubernetes objects, offline and strict.
//
// Two independent checks per object:
//  1. kubernetes-models / @kubernetes-models/prometheus-operator: JSON-schema types, enums and
//     required fields (their validators accept unknown fields).
//  2. Unknown-field detection:
//     - built-in kinds: a walk of the object against the field lists that @kubernetes/client-node
//       generates for every API type (dist/gen/models, attributeTypeMap);
//     - Prometheus Operator kinds: the operator package's compiled validator is run over a Proxy
//       that records every property it reads. A schema reads each property it declares (and every
//       key of a map), so a key that is never read is not in the CRD schema: it is unknown.
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const clientNodeDir = path.dirname(require.resolve("@kubernetes/client-node/package.json"));
// Only the generated models are imported: the rest of the client (HTTP, auth) is not needed.
const models = await import(pathToFileURL(path.join(clientNodeDir, "dist/gen/models/all.js")).href);
const operatorDir = path.dirname(require.resolve("@kubernetes-models/prometheus-operator/package.json"));

const OPERATOR_GROUP = "monitoring.coreos.com";

/** The client-node model class for apiVersion/kind, e.g. apps/v1 Deployment -> V1Deployment. */
export function clientNodeModel(apiVersion, kind) {
  const version = apiVersion.split("/").pop();
  const name = version.charAt(0).toUpperCase() + version.slice(1) + kind;
  const model = models[name];
  return model && Array.isArray(model.attributeTypeMap) ? model : undefined;
}

function typeName(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Walks `value` against client-node type `type`; pushes "path: message" strings to `errors`. */
function walk(value, type, where, errors) {
  if (value === null || value === undefined) return; // null means "unset" to the API server
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (!Array.isArray(value)) return void errors.push(`${where}: expected a list, found ${typeName(value)}`);
    value.forEach((item, i) => walk(item, m[1], `${where}[${i}]`, errors));
    return;
  }
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) {
    if (typeName(value) !== "object") return void errors.push(`${where}: expected a map, found ${typeName(value)}`);
    for (const [k, v] of Object.entries(value)) walk(v, m[1], `${where}.${k}`, errors);
    return;
  }
  switch (type) {
    case "any":
    case "object":
      return;
    case "string":
    case "Date":
      if (typeof value !== "string") errors.push(`${where}: expected a string, found ${typeName(value)}`);
      return;
    case "number":
      if (typeof value !== "number") errors.push(`${where}: expected a number, found ${typeName(value)}`);
      return;
    case "boolean":
      if (typeof value !== "boolean") errors.push(`${where}: expected a boolean, found ${typeName(value)}`);
      return;
    case "IntOrString":
      if (typeof value !== "string" && typeof value !== "number")
        errors.push(`${where}: expected an integer or a string, found ${typeName(value)}`);
      return;
  }
  const model = models[type];
  if (!model || !Array.isArray(model.attributeTypeMap)) {
    errors.push(`${where}: validator has no schema for type ${type}`);
    return;
  }
  if (typeName(value) !== "object") return void errors.push(`${where}: expected an object (${type}), found ${typeName(value)}`);
  const fields = new Map(model.attributeTypeMap.map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    const fieldType = fields.get(k);
    if (fieldType === undefined) {
      errors.push(`${where ? where + "." : ""}${k}: unknown field (not in ${type})`);
      continue;
    }
    walk(v, fieldType, where ? `${where}.${k}` : k, errors);
  }
}

/**
 * Records the properties a validator reads; see the file comment. `touched` tells a subtree the
 * schema describes (its validator looks up at least one property, present or not) from a
 * free-form one (x-kubernetes-preserve-unknown-fields), which no validator looks into.
 */
function tracked(value, where, registry) {
  if (value === null || typeof value !== "object") return value;
  const entry = { value, where, read: new Set(), touched: false };
  registry.push(entry);
  const children = new Map();
  return new Proxy(value, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return v;
      entry.touched = true;
      if (!Object.hasOwn(target, key)) return v;
      entry.read.add(key);
      if (v === null || typeof v !== "object") return v;
      if (!children.has(key)) {
        const sub = Array.isArray(target) ? `${where}[${key}]` : where ? `${where}.${key}` : key;
        children.set(key, tracked(v, sub, registry));
      }
      return children.get(key);
    },
  });
}

const ajvPath = (instancePath) =>
  instancePath.replace(/^\//, "").replace(/\/(\d+)(?=\/|$)/g, "[$1]").replace(/\//g, ".");
const ajvMessage = (e) =>
  `${ajvPath(e.instancePath) || "(object)"}: ${e.message}${e.params?.allowedValues ? " " + JSON.stringify(e.params.allowedValues) : ""}`;

async function operatorValidator(apiVersion, kind) {
  const version = apiVersion.split("/")[1];
  const file = path.join(operatorDir, "_schemas", `MonitoringCoreosCom${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}.mjs`);
  try {
    return (await import(pathToFileURL(file).href)).validate;
  } catch {
    return undefined;
  }
}

async function kubernetesModel(apiVersion, kind) {
  try {
    // Core kinds live under "kubernetes-models/v1/<Kind>", the others under "<group>/<version>/".
    return (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch {
    return undefined;
  }
}

/**
 * Schema errors of one object, as "path: message" strings (empty when valid). Kinds outside the
 * Kubernetes API and the Prometheus Operator CRDs are reported as unknown unless a schema for
 * them is passed in `extraSchemas` ({ "apiVersion/kind": fieldTree }).
 */
export async function schemaErrors(object, extraSchemas = {}) {
  const errors = [];
  if (typeName(object) !== "object") return ["(document): not a mapping"];
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== "string" || typeof kind !== "string") return ["(object): apiVersion and kind are required"];

  if (apiVersion.startsWith(OPERATOR_GROUP + "/")) {
    const validate = await operatorValidator(apiVersion, kind);
    if (!validate) return [`(object): no Prometheus Operator schema for ${apiVersion} ${kind}`];
    return operatorErrors(validate, object, kind, "");
  }

  const extra = extraSchemas[`${apiVersion}/${kind}`];
  if (extra) return fieldTreeErrors(object, extra, "");

  const model = clientNodeModel(apiVersion, kind);
  const Model = await kubernetesModel(apiVersion, kind);
  if (!model || !Model) return [`(object): no Kubernetes schema for ${apiVersion} ${kind}`];
  walk(object, model.name, "", errors);
  try {
    new Model(object).validate();
  } catch (e) {
    if (Array.isArray(e.errors)) errors.push(...e.errors.map(ajvMessage));
    else errors.push(`(object): ${e.message}`);
  }
  return errors;
}

function operatorErrors(validate, object, kind, prefix) {
  const errors = [];
  const registry = [];
  const at = (p) => (prefix && p.startsWith("spec.route") ? prefix + p.slice("spec.route".length) : p);
  if (!validate(tracked(object, "", registry)))
    errors.push(...validate.errors.map((e) => at(ajvMessage(e))));
  for (const { value, where, read, touched } of registry) {
    if (Array.isArray(value) || !touched) continue;
    for (const key of Object.keys(value))
      if (!read.has(key)) errors.push(`${at(where ? where + "." : "")}${key}: unknown field (not in the ${kind} CRD schema)`);
  }
  // The CRD leaves child routes free-form (they are recursive): check each one as a route.
  if (kind === "AlertmanagerConfig") {
    const walkRoutes = (route, where) =>
      (Array.isArray(route?.routes) ? route.routes : []).forEach((child, i) => {
        const path = `${where}.routes[${i}]`;
        const probe = { apiVersion: object.apiVersion, kind, metadata: { name: "route" }, spec: { route: child } };
        errors.push(...operatorErrors(validate, probe, "AlertmanagerConfig", path).filter((e) => !/\.routes\[/.test(e) || e.startsWith(path)));
      });
    if (!prefix) walkRoutes(object.spec?.route, "spec.route");
  }
  return errors;
}

/**
 * For kinds that no npm package describes (Argo CD's Application): a hand-written tree of the
 * fields Firedrill uses. Leaves are type names ("string", "boolean", "number", "any", "[string]",
 * "map"); objects list their fields; a one-element array is a list of that shape. Any other field fails.
 */
export function fieldTreeErrors(value, tree, where) {
  const errors = [];
  const at = (k) => (where ? `${where}.${k}` : k);
  if (typeof tree === "string") {
    const ok = {
      string: typeof value === "string",
      boolean: typeof value === "boolean",
      number: typeof value === "number",
      any: true,
      "[string]": Array.isArray(value) && value.every((v) => typeof v === "string"),
      map: typeName(value) === "object" && Object.values(value).every((v) => typeof v === "string"),
    }[tree];
    if (!ok) errors.push(`${where}: expected ${tree}, found ${typeName(value)}`);
    return errors;
  }
  if (Array.isArray(tree)) {
    if (!Array.isArray(value)) return [`${where}: expected a list, found ${typeName(value)}`];
    value.forEach((v, i) => errors.push(...fieldTreeErrors(v, tree[0], `${where}[${i}]`)));
    return errors;
  }
  if (typeName(value) !== "object") return [`${where || "(object)"}: expected an object, found ${typeName(value)}`];
  for (const [k, v] of Object.entries(value)) {
    if (!(k in tree)) errors.push(`${at(k)}: unknown field`);
    else errors.push(...fieldTreeErrors(v, tree[k], at(k)));
  }
  return errors;
}
