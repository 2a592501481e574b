// Ingest, end to end: one Node SDK client logs 1,000,000 points (10 keys × 100k steps through logMetrics) into a real
// relay process; a second client (another process, live on the run's metrics room) counts them as they arrive.
//   node bench/ingest.mjs            (after `node scripts/build-node.mjs`; `npm run bench` does both)
// Prints: end-to-end time and points/s (first log call → second client has every point), time spent inside the
// logging calls, flush time, bytes per point in the metrics doc, in SQLite and in the SDK's local journal.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { connect } from 'cairn/sdk';
import { fmt, report, spawnNode, startCliRelay, tempDir, wallMs, watchdog, ROOT } from './lib/util.mjs';

const KEYS = 10;
const STEPS = Number(process.env.BENCH_INGEST_STEPS ?? 100_000);
const POINTS = KEYS * STEPS;
const TARGET_S = 3;
const WS = 'bench';

watchdog(180_000, 'ingest');
const dir = tempDir('ingest');
const relay = await startCliRelay(join(dir.path, 'relay'));
let watcher = null;
let cairn = null;
try {
  cairn = await connect({ relay: relay.url, workspace: WS, dataDir: join(dir.path, 'sdk') });
  const run = await cairn.startRun({ experimentName: 'ingest' });
  await run.flush();
  // Format 2: the points live in the run's metrics room; the run doc holds the summaries.
  const room = `${WS}/run/${run.id}/metrics`;
  watcher = spawnNode([join(ROOT, 'bench', 'lib', 'watch-run.mjs'), relay.url, room, String(POINTS)]);
  await watcher.line(/ready/, 'second client to sync');

  const names = Array.from({ length: KEYS }, (_, k) => `metric_${k}`);
  const t0 = wallMs();
  for (let step = 0; step < STEPS; step++) {
    const m = {};
    for (let k = 0; k < KEYS; k++) m[names[k]] = Math.sin(step / 1000 + k) + k;
    run.logMetrics(m, { step });
  }
  const t1 = wallMs();
  await run.flush();
  const t2 = wallMs();
  const done = await watcher.line(/done (\d+) ([\d.]+) (\d+)/, 'second client to see every point', 120_000);
  const seen = Number(done[1]);
  const tSeen = Number(done[2]);
  const metricsDocBytes = Number(done[3]);
  const endToEnd = (Math.max(tSeen, t0) - t0) / 1000;

  const relayDir = join(dir.path, 'relay');
  const db = new Database(join(relayDir, 'relay.sqlite'), { readonly: true, fileMustExist: true });
  const rows = db.prepare('SELECT count(*) AS n, sum(length(data)) AS bytes FROM doc_updates WHERE room = ?').get(room);
  db.close();
  const fileSize = (f) => (existsSync(f) ? statSync(f).size : 0);
  const sqliteFiles = fileSize(join(relayDir, 'relay.sqlite')) + fileSize(join(relayDir, 'relay.sqlite-wal'));
  // Every file the SDK keeps under its data dir (the journal's layout is the SDK's business).
  const sdkFiles = readdirSync(join(dir.path, 'sdk'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const journalBytes = sdkFiles.reduce((n, e) => n + fileSize(join(e.parentPath ?? e.path, e.name)), 0);

  const results = [
    ['points', POINTS.toLocaleString('en-US'), ''],
    ['end to end (first log call → 2nd client has all)', `${fmt(endToEnd, 2)} s`, `target ≤ ${TARGET_S} s ${endToEnd <= TARGET_S ? '(met)' : '(MISSED)'}`],
    ['end-to-end throughput', `${fmt(POINTS / endToEnd / 1e6, 2)} M points/s`, ''],
    ['time inside logging calls', `${fmt((t1 - t0) / 1000, 2)} s`, `${fmt(((t1 - t0) * 1e6) / POINTS, 0)} ns/point`],
    ['flush() after the last call', `${fmt((t2 - t1) / 1000, 2)} s`, ''],
    ['2nd client had every point, minus flush() resolved', `${fmt((tSeen - t2) / 1000, 3)} s`, 'negative: before the ack'],
    ['metrics doc (Y.encodeStateAsUpdate)', `${fmt(metricsDocBytes / POINTS, 2)} B/point`, `${fmt(metricsDocBytes / 1e6, 1)} MB`],
    ['SQLite rows of the metrics room', `${fmt(rows.bytes / POINTS, 2)} B/point`, `${rows.n} rows, ${fmt(rows.bytes / 1e6, 1)} MB`],
    ['SQLite files (relay.sqlite + -wal)', `${fmt(sqliteFiles / POINTS, 2)} B/point`, `${fmt(sqliteFiles / 1e6, 1)} MB, all rooms`],
    ['SDK local files (journal)', `${fmt(journalBytes / POINTS, 2)} B/point`, `${fmt(journalBytes / 1e6, 1)} MB in ${sdkFiles.length} files under its data dir`],
  ];
  if (seen !== POINTS) results.push(['WARNING', `second client counted ${seen} points`, `expected ${POINTS}`]);
  console.log(`ingest: ${KEYS} keys × ${STEPS.toLocaleString('en-US')} steps through logMetrics, relay ${relay.url}`);
  for (const [k, v, note] of results) console.log(`  ${k.padEnd(52)} ${v.padStart(18)}  ${note}`);
  report('ingest', results);
} finally {
  await cairn?.close({ timeoutMs: 5_000 }).catch(() => {});
  await watcher?.kill('SIGKILL');
  await relay.kill('SIGTERM');
  dir.remove();
}
process.exit(0);
