// Relay memory under an awareness (presence) flood, the attack of issue 5: giant states from read tokens, giant
// states from a write token, and many sockets spamming states at full speed with rotating client ids.
//   node bench/awareness-flood.mjs
// Starts `node dist/cli.cjs relay` (tokens required) in its own process and reads its RSS from /proc. Target: the
// relay's RSS stays bounded, at most 2× idle; a joiner's presence replay stays small.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import { fmt, report, rssMb, spawnNode, tempDir, watchdog, ROOT } from './lib/util.mjs';

const WS = 'flood';
const GIANT_BYTES = 60 * 1024 * 1024;
const GIANTS = 4;
const SPAM_SOCKETS = 64;
const SPAM_MS = 5_000;
const SPAM_STATE_BYTES = 15 * 1024;

watchdog(240_000, 'awareness-flood');
const cli = join(ROOT, 'dist', 'cli.cjs');
const dir = tempDir('awareness-flood');
const token = (role) => {
  const r = spawnSync(process.execPath, [cli, 'token', 'create', '--data', dir.path, '--workspace', WS, '--role', role], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
};

function awarenessFrame(entries) {
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(inner, e.id);
    encoding.writeVarUint(inner, e.clock);
    encoding.writeVarString(inner, e.state);
  }
  const out = encoding.createEncoder();
  encoding.writeVarUint(out, 1);
  encoding.writeVarUint8Array(out, encoding.toUint8Array(inner));
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

let relay = null;
try {
  const readToken = token('read');
  const writeToken = token('write');
  relay = spawnNode([cli, 'relay', '--port', '0', '--data', dir.path]);
  const url = (await relay.line(/listening on (http:\/\/\S+)/, 'relay start', 20_000))[1];
  const pid = relay.proc.pid;
  await fetch(`${url}/healthz`);
  // A real user, so there is presence to protect and to replay.
  const alice = open(url, writeToken);
  await alice.opened;
  alice.ws.send(awarenessFrame([{ id: 1, clock: 1, state: JSON.stringify({ user: { name: 'alice', color: '#f00' } }) }]));
  await new Promise((r) => setTimeout(r, 300));
  const idle = rssMb(pid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);

  const giantState = JSON.stringify({ pad: 'x'.repeat(GIANT_BYTES) });
  const giant = (id) => awarenessFrame([{ id, clock: 1, state: giantState }]);
  const closes = {};
  const count = (code) => (closes[code] = (closes[code] ?? 0) + 1);

  // 1. Four giant states from read tokens (the 66 MB → 1.27 GB).
  const t1 = performance.now();
  const readers = Array.from({ length: GIANTS }, () => open(url, readToken));
  await Promise.all(readers.map((c) => c.opened));
  for (const [i, c] of readers.entries()) c.ws.send(giant(100 + i));
  for (const c of readers) count(await c.closed);
  const readGiantMs = performance.now() - t1;
  const afterReadGiants = rssMb(pid);

  // 2. The same from a write token, whose frames may be large (doc snapshots): buffered by ws, refused by the gate.
  const t2 = performance.now();
  const writers = Array.from({ length: GIANTS }, () => open(url, writeToken));
  await Promise.all(writers.map((c) => c.opened));
  for (const [i, c] of writers.entries()) c.ws.send(giant(200 + i));
  for (const c of writers) count(await c.closed);
  const writeGiantMs = performance.now() - t2;
  const afterWriteGiants = rssMb(pid);

  // 3. Spam: many read sockets, each sending states as fast as it can, ids rotating.
  const spammers = Array.from({ length: SPAM_SOCKETS }, () => open(url, readToken));
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
  const afterSpam = rssMb(pid);
  const joiner = open(url, readToken);
  await joiner.opened;
  await new Promise((r) => setTimeout(r, 300));
  const replay = joiner.received.awarenessBytes;
  for (const c of [...spammers, joiner, alice]) c.ws.close();
  await new Promise((r) => setTimeout(r, 1_000));
  clearInterval(sampler);
  const settled = rssMb(pid);

  const results = [
    ['relay RSS idle (one user present)', `${fmt(idle, 1)} MB`, ''],
    [`${GIANTS} × 60 MiB states, read tokens`, `${fmt(afterReadGiants, 1)} MB`, `closes ${JSON.stringify(closes)}; ${fmt(readGiantMs, 0)} ms`],
    [`${GIANTS} × 60 MiB states, write token`, `${fmt(afterWriteGiants, 1)} MB`, `${fmt(writeGiantMs, 0)} ms (ws buffers a write token's frame before the gate refuses it)`],
    [`${SPAM_SOCKETS} sockets spamming ${SPAM_STATE_BYTES / 1024} KiB states ${SPAM_MS / 1000} s`, `${fmt(afterSpam, 1)} MB`, `${sent} frames sent`],
    ['presence replayed to a joiner after the flood', `${fmt(replay / 1024, 1)} KiB`, ''],
    ['relay peak RSS sampled during the flood', `${fmt(peak, 1)} MB`, `${fmt(peak / idle, 2)}× idle (target ≤ 2×)`],
    ['relay RSS 1 s after the flood', `${fmt(settled, 1)} MB`, `${fmt(settled / idle, 2)}× idle`],
  ];
  console.log('awareness-flood: presence limits under attack (RELAY-27)');
  for (const [k, v, note] of results) console.log(`  ${k.padEnd(48)} ${v.padStart(10)}  ${note}`);
  report('awareness-flood', results);
} finally {
  await relay?.kill('SIGTERM');
  dir.remove();
}
