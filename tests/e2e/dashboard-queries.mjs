// Runs every dashboard query (variables at their defaults) against a real Prometheus and reports
// the ones that fail to evaluate or return no data.
//   node dashboard-queries.mjs http://127.0.0.1:9090
import { allPanels, loadDashboards, substitute } from "../../dashboards/test/dashboards.mjs";

const prometheus = process.argv[2];
const dashboards = loadDashboards();
// Panels whose query has data only while something is wrong (an alert firing, a failed run).
const mayBeEmpty = (expr) => /ALERTS|_failed_total|rejected_total|batch_sync_errors|crash|== 0/.test(expr);
let failures = 0;
let empty = 0;
let total = 0;
for (const [file, d] of Object.entries(dashboards)) {
  for (const p of allPanels(d)) {
    for (const t of p.targets ?? []) {
      total += 1;
      const expr = substitute(t.expr, d);
      const url = `${prometheus}/api/v1/query?query=${encodeURIComponent(expr)}`;
      const res = await fetch(url);
      const body = await res.json();
      if (body.status !== "success") {
        failures += 1;
        console.log(`FAIL ${file} / ${p.title}: ${body.error}\n     ${expr}`);
      } else if (body.data.result.length === 0 && !mayBeEmpty(expr)) {
        empty += 1;
        console.log(`EMPTY ${file} / ${p.title}: ${expr}`);
      }
    }
  }
}
console.log(`${total} dashboard queries: ${failures} failed, ${empty} returned no data`);
process.exit(failures + empty > 0 ? 1 : 0);
