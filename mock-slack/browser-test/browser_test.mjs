// Real-browser test of mock-slack's web UI: starts the real binary on an ephemeral port with a
// temporary database and a UI user (--ui-basic-auth-file), seeds incidents through POST /webhook,
// and drives Debian's Chromium (headless, JavaScript off: the pages must work without it, and
// signed in with basic auth as a browser asks for it) through the timeline, a filter, an
// incident, its acknowledge and note forms, its postmortem draft, and a forged form on a page
// of another site that mock-slack must refuse, saving a screenshot of each step.
//
//   node browser_test.mjs <mock-slack binary> <screenshot dir>
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  alert, iso, launchBrowser, notification, postWebhook as post, startMockSlack as startProcess,
} from './mock_slack_process.mjs';

const [binary, screenshotDir] = process.argv.slice(2);
if (!binary || !screenshotDir) {
  console.error('usage: node browser_test.mjs <mock-slack binary> <screenshot dir>');
  process.exit(2);
}
mkdirSync(screenshotDir, { recursive: true });
const work = mkdtempSync(path.join(tmpdir(), 'mock-slack-browser-'));
// The person who signs in to the pages; what she posts with the forms is signed with her name.
const user = { username: 'alice', password: 'wonder:land' };
const usersFile = path.join(work, 'ui-users');
writeFileSync(usersFile, `# UI users\n${user.username}:${user.password}\n`);
const basicAuth = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;

/** Starts mock-slack on port 0 and resolves with its port once it logs "started". */
function startMockSlack() {
  return startProcess(binary, ['--db', path.join(work, 'mock-slack.db'), '--drain-delay', '0s',
    '--runbooks-dir', work, '--ui-basic-auth-file', usersFile]);
}
const minute = 60 * 1000;

/**
 * Another site: a page on http://localhost:<port> (mock-slack is http://127.0.0.1:<port>, another
 * site to the browser) whose form posts a note to mock-slack's incident, carrying even the
 * victim's real token. Resolves with its URL once listening.
 */
function startForgerySite(action, token) {
  const html = `<!doctype html><html><head><title>Free prizes</title></head><body>
<form method="post" action="${action}">
<input type="hidden" name="csrf" value="${token}">
<input type="hidden" name="kind" value="note">
<input type="hidden" name="text" value="forged by another site">
<button type="submit">Claim your prize</button>
</form></body></html>`;
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return new Promise((resolve) => {
    server.listen(0, 'localhost', () => resolve({ server, url: `http://localhost:${server.address().port}/` }));
  });
}

async function incidentEvents(base, id) {
  const res = await fetch(`${base}/api/v1/incidents/${id}/events`, { headers: { Authorization: basicAuth } });
  assert.equal(res.status, 200);
  return (await res.json()).events;
}

const { child, port: portPromise } = startMockSlack();
let context;
let forgery;
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

  // Answers mock-slack's basic-auth challenge (WWW-Authenticate: Basic) as a person would.
  context = await launchBrowser(path.join(work, 'chromium-profile'), user);
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
  const incidentUrl = page.url();
  const incidentId = incidentUrl.match(/\/incidents\/(\d+)$/)[1];

  // The forms, with JavaScript off: acknowledge, then add a note. Each POSTs the form and is
  // answered 303 back to the incident page (Post/Redirect/Get).
  assert.match(body, /Signed in as alice/);
  assert.match(body, /Acknowledged\s+not yet/);
  const submit = async (form) => {
    const [back] = await Promise.all([
      page.waitForResponse((r) => r.url() === incidentUrl && r.request().method() === 'GET'),
      form.locator('button[type="submit"]').click(),
    ]);
    const post = back.request().redirectedFrom();
    assert.ok(post, 'the page came back through a redirect');
    assert.equal(post.method(), 'POST');
    assert.match(post.url(), /\/incidents\/\d+\/events$/);
    assert.equal((await post.response()).status(), 303);
    assert.equal(back.status(), 200);
    await page.waitForLoadState();
  };
  const ack = page.locator('form.event-form-acknowledged');
  await ack.locator('input[name="text"]').fill('looking at the disk');
  await submit(ack);
  assert.match(await page.locator('section.response').innerText(), /Acknowledged\s+by alice at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/);
  const note = page.locator('form.event-form-note');
  await note.locator('textarea[name="text"]').fill('rotating the <b>logs</b> on 10.0.0.7');
  await submit(note);
  const timeline = page.locator('table.timeline tbody');
  assert.match(await timeline.locator('tr.event-acknowledged').innerText(), /acknowledged\s+alice\s+looking at the disk/);
  assert.match(await timeline.locator('tr.event-note').innerText(), /note\s+alice\s+rotating the <b>logs<\/b> on 10\.0\.0\.7/);
  assert.equal(await timeline.locator('b').count(), 0, 'the note is text, not markup');
  assert.match(await timeline.innerText(), /notification\s+Alertmanager\s+notification firing to team-storage/);
  assert.match(await page.locator('section.response').innerText(), /Notes\s+1/);
  let events = await incidentEvents(base, incidentId);
  assert.deepEqual(events.map((e) => [e.kind, e.author]), [['acknowledged', 'alice'], ['note', 'alice']]);
  await page.screenshot({ path: path.join(screenshotDir, 'incident-acknowledged.png'), fullPage: true });

  // A page of another site posts a form to mock-slack, with alice's real token and her browser
  // signed in: the session cookie (SameSite=Strict) stays home and the Origin is foreign, so
  // mock-slack refuses it and stores nothing.
  const token = await page.locator('form.event-form-note input[name="csrf"]').getAttribute('value');
  forgery = await startForgerySite(`${base}/incidents/${incidentId}/events`, token);
  await page.goto(forgery.url);
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/incidents/${incidentId}/events`) && r.status() !== 401),
    page.getByRole('button', { name: 'Claim your prize' }).click(),
  ]);
  assert.equal(refused.status(), 403);
  const sent = await refused.request().allHeaders();
  assert.equal(sent.cookie, undefined, 'the browser kept the SameSite=Strict session cookie home');
  assert.match(sent.origin, /^http:\/\/localhost:\d+$/);
  await page.waitForLoadState();
  assert.match(await page.locator('body').innerText(), /Refused[\s\S]*Origin "http:\/\/localhost:\d+" is not this site/);
  await page.screenshot({ path: path.join(screenshotDir, 'forged-form-refused.png'), fullPage: true });
  events = await incidentEvents(base, incidentId);
  assert.equal(events.length, 2, 'the forged note was not stored');
  await page.goto(incidentUrl);

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
  if (forgery) forgery.server.close();
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
  rmSync(work, { recursive: true, force: true });
}
