// Real-browser test of the open pages with a sign-in to act (--anonymous-read, the local stack's
// setting): starts the real binary with a UI user, seeds an incident through POST /webhook, and
// drives Debian's Chromium (headless, JavaScript off) as an anonymous reader to the incident
// page, which reads without a password and offers "Sign in"; through /signin, where the browser
// is asked for the user as a person would be and comes back to the incident; and through the
// acknowledge form, signed with that user's name. A mistyped password is asked for again.
//
//   node signin_browser_test.mjs <mock-slack binary> <screenshot dir>
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  alert, iso, launchBrowser, notification, postWebhook, startMockSlack,
} from './mock_slack_process.mjs';

const [binary, screenshotDir] = process.argv.slice(2);
if (!binary || !screenshotDir) {
  console.error('usage: node signin_browser_test.mjs <mock-slack binary> <screenshot dir>');
  process.exit(2);
}
mkdirSync(screenshotDir, { recursive: true });
const work = mkdtempSync(path.join(tmpdir(), 'mock-slack-signin-browser-'));
const user = { username: 'oncall', password: 'pager:duty' };
const usersFile = path.join(work, 'ui-users');
writeFileSync(usersFile, `${user.username}:${user.password}\n`);

const { child, port: portPromise } = startMockSlack(binary, ['--db', path.join(work, 'mock-slack.db'),
  '--drain-delay', '0s', '--runbooks-dir', work, '--ui-basic-auth-file', usersFile, '--anonymous-read']);
const contexts = [];
try {
  const base = `http://127.0.0.1:${await portPromise}`;
  const stored = await postWebhook(base, notification('PortalHighErrorRate', 'firing', 'pages',
    [alert('PortalHighErrorRate', 'firing', iso(5 * 60 * 1000), null, { service: 'portal', severity: 'page' })]));
  const incidentUrl = `${base}/incidents/${stored.incident}`;

  // Anyone reads: the API without a credential, and the incident page, which offers "Sign in".
  const events = async () => {
    const res = await fetch(`${incidentUrl.replace('/incidents/', '/api/v1/incidents/')}/events`);
    assert.equal(res.status, 200);
    return (await res.json()).events;
  };
  assert.deepEqual(await events(), []);
  const basic = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const context = await launchBrowser(path.join(work, 'profile'), user);
  contexts.push(context);
  const page = context.pages()[0] ?? await context.newPage();
  let res = await page.goto(incidentUrl);
  assert.equal(res.status(), 200);
  assert.equal((await res.request().allHeaders()).authorization, undefined, 'read anonymously');
  const response = page.locator('section.response');
  assert.match(await response.innerText(), /Sign in to acknowledge, add notes or mark mitigation\.\s+Sign in/);
  assert.equal(await page.locator('form.event-form').count(), 0, 'no forms before signing in');
  await page.screenshot({ path: path.join(screenshotDir, 'incident-anonymous.png'), fullPage: true });

  // "Sign in": the browser is asked for the user, /signin sends it back to the incident, and the
  // page, now requested with that user, offers the forms.
  const [landed] = await Promise.all([
    page.waitForResponse((r) => r.url() === incidentUrl),
    page.getByRole('link', { name: 'Sign in' }).click(),
  ]);
  const signin = landed.request().redirectedFrom();
  assert.ok(signin, 'the incident page came back through /signin');
  assert.equal(new URL(signin.url()).pathname, '/signin');
  // 303 only for a signed-in user (Playwright reports the headers /signin was first sent with,
  // before the browser answered its challenge).
  assert.equal((await signin.response()).status(), 303);
  assert.equal((await landed.request().allHeaders()).authorization, basic, 'and so did the page');
  await page.waitForLoadState();
  assert.match(await response.innerText(), /Signed in as oncall/);
  const ack = page.locator('form.event-form-acknowledged');
  await ack.locator('input[name="text"]').fill('on it');
  const [back] = await Promise.all([
    page.waitForResponse((r) => r.url() === incidentUrl && r.request().method() === 'GET'),
    ack.locator('button[type="submit"]').click(),
  ]);
  assert.equal((await back.request().redirectedFrom().response()).status(), 303);
  await page.waitForLoadState();
  assert.match(await response.innerText(), /Acknowledged\s+by oncall at \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/);
  assert.deepEqual((await events()).map((e) => [e.kind, e.author, e.text]), [['acknowledged', 'oncall', 'on it']]);
  // Every page after the sign-in carries the user: the timeline too.
  res = await page.goto(`${base}/`);
  assert.equal(res.status(), 200);
  assert.equal((await res.request().allHeaders()).authorization, basic);
  await page.goto(incidentUrl);
  await page.screenshot({ path: path.join(screenshotDir, 'incident-signed-in.png'), fullPage: true });

  // A mistyped password: /signin asks again rather than letting the browser on as anonymous.
  const typo = await launchBrowser(path.join(work, 'profile-typo'), { ...user, password: 'pager:dutY' });
  contexts.push(typo);
  const typoPage = typo.pages()[0] ?? await typo.newPage();
  res = await typoPage.goto(`${base}/signin?next=${encodeURIComponent(new URL(incidentUrl).pathname)}`);
  assert.equal(res.status(), 401);
  assert.match(res.headers()['www-authenticate'], /^Basic realm="mock-slack"/);
  assert.equal((await events()).length, 1, 'nothing else was stored');
  console.log(`sign-in browser test passed; screenshots in ${screenshotDir}`);
} finally {
  for (const c of contexts) await c.close();
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
  rmSync(work, { recursive: true, force: true });
}
