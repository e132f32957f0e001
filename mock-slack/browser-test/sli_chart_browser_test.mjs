// Real-browser test of the incident page's SLI chart: Debian's Prometheus (with the real drill
// SLO rules, alert-rules/drill/slo-portal.rules.yml) on a free port, the real mock-slack binary
// on port 0 pointed at it, an incident seeded through POST /webhook, and Debian's Chromium
// (headless, JavaScript off) showing /incidents/1: the <img> of /incidents/1/sli.svg must load
// under the page's CSP and be drawn (a broken image is a line of alt text), and the page must
// say nothing is wrong. Then Prometheus is stopped: the page must say so in words.
//
//   node sli_chart_browser_test.mjs <mock-slack> <prometheus> <rules file> <screenshot dir>
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { iso, startMockSlack as startProcess } from './mock_slack_process.mjs';

const [binary, prometheus, rules, screenshotDir] = process.argv.slice(2);
if (!binary || !prometheus || !rules || !screenshotDir) {
  console.error('usage: node sli_chart_browser_test.mjs <mock-slack> <prometheus> <rules> <screenshot dir>');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
mkdirSync(screenshotDir, { recursive: true });
const work = mkdtempSync(path.join(tmpdir(), 'mock-slack-sli-browser-'));

/** A port the kernel hands out now (Prometheus cannot report the port of :0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 100 ms until it holds, at most `ms`. */
async function until(what, ms, check) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try { if (await check()) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startPrometheus() {
  copyFileSync(rules, path.join(work, 'slo-portal.rules.yml'));
  writeFileSync(path.join(work, 'prometheus.yml'),
    'global:\n  evaluation_interval: 1s\nrule_files:\n  - slo-portal.rules.yml\n');
  for (let attempt = 0; attempt < 5; ++attempt) {
    const port = await freePort();
    const child = spawn(prometheus, [`--config.file=${path.join(work, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(work, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
    let exited = false;
    child.on('exit', () => { exited = true; });
    const url = `http://127.0.0.1:${port}`;
    try {
      await until('Prometheus ready', 30000, async () => {
        if (exited) throw new Error('exited');
        return (await fetch(`${url}/-/ready`)).status === 200;
      });
      return { child, url };
    } catch {
      child.kill('SIGKILL');  // another process took the port first: try another
    }
  }
  throw new Error('Prometheus did not start');
}

function startMockSlack(prometheusUrl) {
  return startProcess(binary, ['--db', path.join(work, 'mock-slack.db'), '--drain-delay', '0s',
    '--runbooks-dir', work, '--prometheus-url', prometheusUrl, '--slo-period', '12h',
    '--impact-step', '5s']);
}

function notification(status, startsAt, endsAt) {
  const labels = { alertname: 'PortalAvailabilityBudgetBurn', service: 'portal', slo: 'availability',
    severity: 'page', instance: '10.0.0.7:8080' };
  return {
    version: '4', groupKey: '{}/{}:{alertname="PortalAvailabilityBudgetBurn"}', truncatedAlerts: 0,
    status, receiver: 'team-portal', groupLabels: { alertname: labels.alertname },
    commonLabels: labels, commonAnnotations: {}, externalURL: 'http://alertmanager.example:9093',
    alerts: [{ status, labels, annotations: { summary: 'burning' }, startsAt,
      endsAt: endsAt ?? '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus.example/graph',
      fingerprint: 'sli-fp' }],
  };
}

const prom = await startPrometheus();
const mock = startMockSlack(prom.url);
let context;
try {
  const base = `http://127.0.0.1:${await mock.port}`;
  const startsAt = iso(60000);
  for (const body of [notification('firing', startsAt), notification('resolved', startsAt, iso(10000))]) {
    const res = await fetch(`${base}/webhook`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    assert.equal(res.status, 200, `POST /webhook: ${await res.text()}`);
  }

  context = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
    executablePath,
    headless: true,
    javaScriptEnabled: false,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? await context.newPage();
  const cspViolations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });

  const [svg] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/incidents/1/sli.svg')),
    page.goto(`${base}/incidents/1`),
  ]);
  assert.equal(svg.status(), 200);
  assert.match(svg.headers()['content-type'], /^image\/svg\+xml/);
  const img = page.locator('img.sli-chart');
  assert.equal(await img.count(), 1);
  await page.waitForLoadState('load');
  // Drawn: the SVG's 960 x 544 (two panels) scaled to the column; alt text would be a line.
  const box = await img.boundingBox();
  assert.ok(box && box.height > 200, `the chart is drawn (${JSON.stringify(box)})`);
  assert.match(await page.locator('section.sli').innerText(), /portal availability: .*error budget consumed/);
  assert.deepEqual(cspViolations, [], 'no CSP violation');
  await page.screenshot({ path: path.join(screenshotDir, 'incident-sli.png'), fullPage: true });

  // Prometheus gone: once the page's SLI (kept 10 s, sli_cache.hpp) is fetched again, the page
  // says so, and draws no broken image.
  prom.child.kill('SIGTERM');
  await until('Prometheus stopped', 30000, async () => {
    try { await fetch(`${prom.url}/-/ready`); return false; } catch { return true; }
  });
  const unreachable = new RegExp(`No SLI chart: Prometheus at ${prom.url.replace(/\./g, '\\.')} did not answer`);
  await until('the page says Prometheus did not answer', 30000, async () => {
    await page.goto(`${base}/incidents/1`);
    return unreachable.test(await page.locator('section.sli').innerText());
  });
  assert.equal(await page.locator('img.sli-chart').count(), 0);
  await page.screenshot({ path: path.join(screenshotDir, 'incident-sli-unreachable.png'), fullPage: true });
  console.log('sli chart browser test: ok');
} finally {
  if (context) await context.close();
  mock.child.kill('SIGTERM');
  prom.child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
