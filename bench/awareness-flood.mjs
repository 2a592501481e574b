// Relay memory under an awareness (presence) flood, the attack of issue 5: giant states from read tokens, giant
// states from a write token, and many sockets spamming states at full speed with rotating client ids.
//   node bench/awareness-flood.mjs
// Starts `node dist/cli.cjs relay` (tokens required) in its own process and reads its RSS from /proc. Target: the
// relay's RSS stays bounded, at most 2× idle; a joiner's presence replay stays small.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as encoding from 'lib0/encoding';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { RELAY, bundle } from './lib/bundle.mjs';
import { fmt, report, rssMb, spawnNode, tempDir, watchdog, ROOT } from './lib/util.mjs';

const WS = 'flood';
const GIANT_BYTES = 60 * 1024 * 1024;
const GIANTS = 4;
const SPAM_SOCKETS = 64;
const SPAM_MS = 5_000;
const SPAM_STATE_BYTES = 15 * 1024;

watchdog(240_000, 'awareness-flood');
const cli = join(ROOT, 'dist', 'cli.cjs');

const { encodeAwarenessEntries } = await import(pathToFileURL(await bundle('relay', RELAY)).href);

/** A type-1 (awareness) message, entries encoded by the relay's own encoder. */
function awarenessFrame(entries) {
  const out = encoding.createEncoder();
  encoding.writeVarUint(out, 1);
  encoding.writeVarUint8Array(out, encodeAwarenessEntries(entries.map((e) => ({ clientId: e.id, clock: e.clock, state: e.state }))));
  return encoding.toUint8Array(out);
}

function open(url, tok) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/sync/${WS}?token=${tok}`);
  const received = { bytes: 0, awarenessBytes: 0 };
  ws.on('message', (d) => {
    received.bytes += d.length;
    if (d[0] === 1) received.awarenessBytes += d.length;
  });
  ws.on('error', () => {});
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  const opened = new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', () => reject(new Error('refused')));
  });
  return { ws, opened, closed, received };
}

/** A fresh relay per scenario, so one scenario's heap does not show in the next one's figures. */
async function scenario(name, run) {
  const dir = tempDir('awareness-flood');
  const token = (role) => {
    const r = spawnSync(process.execPath, [cli, 'token', 'create', '--data', dir.path, '--workspace', WS, '--role', role], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.trim();
  };
  const tokens = { read: token('read'), write: token('write') };
  const relay = spawnNode([cli, 'relay', '--port', '0', '--data', dir.path]);
  try {
    const url = (await relay.line(/listening on (http:\/\/\S+)/, 'relay start', 20_000))[1];
    const pid = relay.proc.pid;
    await fetch(`${url}/healthz`);
    // A real user, so there is presence to protect and to replay.
    const alice = open(url, tokens.write);
    await alice.opened;
    alice.ws.send(awarenessFrame([{ id: 1, clock: 1, state: JSON.stringify({ user: { name: 'alice', color: '#f00' } }) }]));
    await new Promise((r) => setTimeout(r, 300));
    const idle = rssMb(pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 10);
    const t0 = performance.now();
    // `run` calls `replayNow()` while its attack is still connected: what a joiner is sent at that moment.
    let replay = 0;
    const replayNow = async () => {
      const joiner = open(url, tokens.read);
      await joiner.opened;
      await new Promise((r) => setTimeout(r, 300));
      replay = joiner.received.awarenessBytes;
      joiner.ws.close();
    };
    const note = await run(url, tokens, replayNow);
    const ms = performance.now() - t0;
    alice.ws.close();
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(pid));
    return [
      [`${name}: idle`, `${fmt(idle, 1)} MB`, ''],
      [`${name}: peak`, `${fmt(peak, 1)} MB`, `${fmt(peak / idle, 2)}× idle; ${note}; ${fmt(ms, 0)} ms`],
      [`${name}: presence replayed to a joiner`, `${replay} B`, 'during the attack'],
    ];
  } finally {
    await relay.kill('SIGTERM');
    dir.remove();
  }
}

const giantState = JSON.stringify({ pad: 'x'.repeat(GIANT_BYTES) });
const giant = (id) => awarenessFrame([{ id, clock: 1, state: giantState }]);

async function giants(url, tok, replayNow) {
  const closes = {};
  const sockets = Array.from({ length: GIANTS }, () => open(url, tok));
  await Promise.all(sockets.map((c) => c.opened));
  for (const [i, c] of sockets.entries()) c.ws.send(giant(100 + i));
  for (const c of sockets) {
    const code = await c.closed;
    closes[code] = (closes[code] ?? 0) + 1;
  }
  await replayNow();
  return `closes ${JSON.stringify(closes)}`;
}

async function spam(url, tok, replayNow) {
  const spammers = Array.from({ length: SPAM_SOCKETS }, () => open(url, tok));
  await Promise.all(spammers.map((c) => c.opened));
  const pad = 'y'.repeat(SPAM_STATE_BYTES - 100);
  let sent = 0;
  const until = Date.now() + SPAM_MS;
  while (Date.now() < until) {
    for (const [s, c] of spammers.entries()) {
      if (c.ws.readyState !== WebSocket.OPEN || c.ws.bufferedAmount > 1 << 20) continue;
      c.ws.send(awarenessFrame([{ id: 10_000 + ((sent + s) % 1000), clock: sent + 2, state: JSON.stringify({ pad, n: sent }) }]));
      sent++;
    }
    await new Promise((r) => setImmediate(r));
  }
  await replayNow();
  for (const c of spammers) c.ws.close();
  return `${sent} frames of ${SPAM_STATE_BYTES / 1024} KiB from ${SPAM_SOCKETS} sockets in ${SPAM_MS / 1000} s`;
}

try {
  const results = [
    ...(await scenario(`${GIANTS} × 60 MiB states (read token)`, (url, t, r) => giants(url, t.read, r))),
    ...(await scenario(`presence spam (read token)`, (url, t, r) => spam(url, t.read, r))),
    ...(await scenario(`${GIANTS} × 60 MiB states (write token)`, (url, t, r) => giants(url, t.write, r))),
  ];
  console.log('awareness-flood: presence limits under attack (RELAY-27); target peak ≤ 2× idle');
  for (const [k, v, note] of results) console.log(`  ${k.padEnd(52)} ${v.padStart(10)}  ${note}`);
  report('awareness-flood', results);
} catch (err) {
  console.error(err);
  process.exit(1);
}
