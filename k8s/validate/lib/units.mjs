// Parsers for the units that appear in manifests: durations, quantities, cron schedules, images.

const DURATION_UNITS = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Seconds in a Go/Prometheus duration such as "5s", "1m30s", "500ms", "3d"; NaN if malformed. */
export function durationSeconds(text) {
  if (typeof text !== "string" || !/^(\d+(\.\d+)?(ms|s|m|h|d|w|y))+$/.test(text)) return NaN;
  let total = 0;
  for (const [, n, , unit] of text.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d|w|y)/g)) total += Number(n) * DURATION_UNITS[unit];
  return total;
}

const QUANTITY_SUFFIXES = {
  "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40,
};

/** Value of a Kubernetes quantity ("100m", "64Mi", "2"); NaN if malformed. */
export function quantityValue(q) {
  if (typeof q === "number") return q;
  const m = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(q));
  return m ? Number(m[1]) * QUANTITY_SUFFIXES[m[2] ?? ""] : NaN;
}

function expandCronField(field, min, max) {
  const values = new Set();
  for (const part of field.split(",")) {
    const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    let [lo, hi] = m[1] === "*" ? [min, max] : m[1].split("-").map(Number);
    if (hi === undefined) hi = m[2] ? max : lo;
    const step = m[2] ? Number(m[2]) : 1;
    if (lo < min || hi > max || step < 1) return undefined;
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * Shortest interval in seconds between two runs of a five-field cron schedule whose day, month
 * and weekday fields are "*"; undefined for schedules this function cannot reason about.
 */
export function cronPeriodSeconds(schedule) {
  const fields = String(schedule).trim().split(/\s+/);
  if (fields.length !== 5 || fields.slice(2).some((f) => f !== "*")) return undefined;
  const minutes = expandCronField(fields[0], 0, 59);
  const hours = expandCronField(fields[1], 0, 23);
  if (!minutes?.length || !hours?.length) return undefined;
  const times = hours.flatMap((h) => minutes.map((m) => h * 60 + m));
  let shortest = 24 * 60;
  for (let i = 0; i < times.length; i++) {
    const next = i + 1 < times.length ? times[i + 1] : times[0] + 24 * 60;
    shortest = Math.min(shortest, next - times[i]);
  }
  return shortest * 60;
}

/** { name, tag, digest } of an image reference; tag/digest undefined when absent. */
export function parseImage(ref) {
  let rest = String(ref);
  let digest;
  const at = rest.indexOf("@");
  if (at >= 0) [rest, digest] = [rest.slice(0, at), rest.slice(at + 1)];
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, tag: undefined, digest };
}
