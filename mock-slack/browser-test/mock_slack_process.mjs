// What the browser tests share: a real mock-slack started on an ephemeral port (its "started"
// log line says which), webhook notifications as Alertmanager sends them, timestamps relative to
// now, and Debian's Chromium with JavaScript off.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

/// Starts BINARY with ARGS (after --listen 127.0.0.1:0); returns { child, port }, port a promise
/// of the port it listens on, rejected if it exits first.
export function startMockSlack(binary, args) {
  const child = spawn(binary, ['--listen', '127.0.0.1:0', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
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

/// The RFC 3339 time msAgo milliseconds before now.
export function iso(msAgo) { return new Date(Date.now() - msAgo).toISOString(); }

/// One alert of a webhook notification (endsAt null: still firing).
export function alert(name, status, startsAt, endsAt, labels) {
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

/// A webhook notification (version 4) of the group `group` to `receiver`.
export function notification(group, status, receiver, alerts) {
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

/// POSTs the notification to base's /webhook and checks that it was stored; resolves with the
/// answer's JSON (its "incident" among others).
export async function postWebhook(base, body) {
  const res = await fetch(`${base}/webhook`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 200, `POST /webhook: ${text}`);
  return JSON.parse(text);
}

/// Debian's Chromium (CHROMIUM, default /usr/bin/chromium), headless, JavaScript off, with a
/// profile in `profileDir`. `credentials` ({ username, password }) answer a basic-auth challenge
/// as a person would, only when one comes.
export function launchBrowser(profileDir, credentials) {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    javaScriptEnabled: false,
    httpCredentials: credentials,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
