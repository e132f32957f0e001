// What the browser tests share: a real mock-slack started on an ephemeral port (its "started"
// log line says which), and timestamps relative to now.
import { spawn } from 'node:child_process';
import readline from 'node:readline';

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
