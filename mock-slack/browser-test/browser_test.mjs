// Real-browser test of mock-slack's web UI: starts the real binary on an ephemeral port with a
// temporary database, seeds incidents through POST /webhook, and drives Debian's Chromium
// (headless, JavaScript off: the pages must work without it) through the timeline, a filter, an
// incident and its postmortem draft, saving a screenshot of each step.
//
//   node browser_test.mjs <mock-slack binary> <screenshot dir>
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const [binary, screenshotDir] = process.argv.slice(2);
if (!binary || !screenshotDir) {
  console.error('usage: node browser_test.mjs <mock-slack binary> <screenshot dir>');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
mkdirSync(screenshotDir, { recursive: true });
const work = mkdtempSync(path.join(tmpdir(), 'mock-slack-browser-'));

/** Starts mock-slack on port 0 and resolves with its port once it logs "started". */
function startMockSlack() {
  const child = spawn(binary, ['--listen', '127.0.0.1:0', '--db', path.join(work, 'mock-slack.db'),
    '--drain-delay', '0s', '--runbooks-dir', work], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        let entry;
        try { entry = JSON.parse(line); } catch { return; }
        if (entry.msg === 'started' && entry.port) resolve(entry.port);
      });
    }
    child.on('exit', (code) => reject(new Error(`mock-slack exited with ${code} before starting`)));
    child.on('error', reject);
  });
  return { child, port };
}

function iso(msAgo) { return new Date(Date.now() - msAgo).toISOString(); }
const minute = 60 * 1000;

function alert(name, status, startsAt, endsAt, labels) {
  return {
    status,
    labels: { alertname: name, instance: '10.0.0.7:8080', ...labels },
    annotations: { summary: `${name} summary`, runbook_url: `http://runbooks.example/${name}` },
    startsAt,
    endsAt: endsAt ?? '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
    fingerprint: `${name}-fp`,
  };
}

function notification(group, status, receiver, alerts) {
  return {
    version: '4',
    groupKey: `{}/{}:{alertname="${group}"}`,
    truncatedAlerts: 0,
    status,
    receiver,
    groupLabels: { alertname: group },
    commonLabels: alerts[0].labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts,
  };
}

async function post(base, body) {
  const res = await fetch(`${base}/webhook`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, `POST /webhook: ${await res.text()}`);
}

const { child, port: portPromise } = startMockSlack();
let context;
try {
  const base = `http://127.0.0.1:${await portPromise}`;

  // Two incidents: PortalHighErrorRate (page, resolved) and DiskFull (warning, still firing).
  const portalStart = iso(50 * minute);
  await post(base, notification('PortalHighErrorRate', 'firing', 'team-portal',
    [alert('PortalHighErrorRate', 'firing', portalStart, null, { service: 'portal', severity: 'page' })]));
  await post(base, notification('PortalHighErrorRate', 'resolved', 'team-portal',
    [alert('PortalHighErrorRate', 'resolved', portalStart, iso(20 * minute), { service: 'portal', severity: 'page' })]));
  await post(base, notification('DiskFull', 'firing', 'team-storage',
    [alert('DiskFull', 'firing', iso(10 * minute), null, { service: 'storage', severity: 'warning' })]));

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

  // The timeline: both incidents, newest first, and a chart with one bar per occurrence.
  let res = await page.goto(`${base}/`);
  assert.equal(res.status(), 200);
  assert.ok(res.headers()['content-security-policy'], 'the timeline carries a CSP');
  assert.equal(await page.locator('h1').innerText(), 'Alert timeline');
  const rows = page.locator('table.incidents tbody tr');
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).innerText(), /DiskFull/);
  assert.match(await rows.nth(1).innerText(), /PortalHighErrorRate/);
  assert.equal(await page.locator('svg rect.bar').count(), 2);
  await page.screenshot({ path: path.join(screenshotDir, 'timeline.png'), fullPage: true });

  // Apply a filter by submitting the form: the URL carries the state.
  await page.locator('input[name="alertname"]').fill('DiskFull');
  await Promise.all([page.waitForURL(/alertname=DiskFull/), page.locator('form.filters button[type="submit"]').click()]);
  assert.equal(await rows.count(), 1);
  assert.match(await rows.nth(0).innerText(), /DiskFull/);
  assert.equal(await page.locator('input[name="alertname"]').inputValue(), 'DiskFull');
  await page.screenshot({ path: path.join(screenshotDir, 'timeline-filtered.png'), fullPage: true });

  // Open the incident.
  await Promise.all([page.waitForURL(/\/incidents\/\d+$/), rows.nth(0).locator('a').first().click()]);
  assert.match(await page.locator('h1').innerText(), /^Incident #\d+: .*DiskFull/);
  const body = await page.locator('body').innerText();
  assert.match(body, /team-storage/, 'the notification log names the receiver');
  assert.ok(await page.locator('a[href="http://runbooks.example/DiskFull"]').count() >= 1, 'runbook link');
  await page.screenshot({ path: path.join(screenshotDir, 'incident.png'), fullPage: true });

  // Follow "Draft postmortem".
  const [draft] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/postmortem.md')),
    page.getByRole('link', { name: 'Draft postmortem' }).click(),
  ]);
  assert.equal(draft.status(), 200);
  assert.match(draft.headers()['content-type'], /^text\/markdown/);
  const markdown = await draft.text();
  assert.match(markdown, /^# DiskFull/m);
  assert.match(markdown, /\*\*Firing:\*\* DiskFull/);
  assert.match(markdown, /not available/);
  await page.waitForLoadState();
  assert.match(await page.locator('body').innerText(), /Postmortem/);
  await page.screenshot({ path: path.join(screenshotDir, 'postmortem.png'), fullPage: true });

  // The receiver's channel shows the webhook notification as a Slack message.
  res = await page.goto(`${base}/channels/team-storage`);
  assert.equal(res.status(), 200);
  assert.match(await page.locator('body').innerText(), /\[FIRING:1\] DiskFull/);
  await page.screenshot({ path: path.join(screenshotDir, 'channel.png'), fullPage: true });

  assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violations');
  console.log(`browser test passed; screenshots in ${screenshotDir}`);
} finally {
  if (context) await context.close();
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
  rmSync(work, { recursive: true, force: true });
}
