// Manage: the costs behind the run page's artifacts and live description.
//   node bench/manage.mjs
// 1. Upload hashing (components/artifacts/SPEC.md ART-5): workers/manage-sha256.ts' incremental SHA-256 over 256 MB
//    in 4 MB slices, against node:crypto as the reference (the worker cannot use WebCrypto without holding the file).
// 2. A description edit (RUNPAGE-N2): lib/doc editRunNote, one keystroke at the end of a 4,000-character text with a
//    peer's change to rebase over, median of 2,000; and two replicas typing 2,000 keystrokes each with a sync every 10.
import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { importBundle } from './lib/bundle.mjs';
import { fmt, median, report, watchdog } from './lib/util.mjs';

watchdog(180_000, 'manage');
const m = await importBundle('manage', `export * from './workers/manage-sha256.ts';\nexport * from './lib/doc/index.ts';\n`);

const SLICE = 4 * 1024 * 1024;
const TOTAL = 256 * 1024 * 1024;
const slice = new Uint8Array(SLICE).map((_, i) => (i * 2654435761) >>> 24);
let t = performance.now();
const h = new m.Sha256Stream();
for (let at = 0; at < TOTAL; at += SLICE) h.update(slice);
h.hex();
const oursMs = performance.now() - t;
t = performance.now();
const ref = createHash('sha256');
for (let at = 0; at < TOTAL; at += SLICE) ref.update(slice);
ref.digest('hex');
const nodeMs = performance.now() - t;

const ctx = m.memoryCtx(new Y.Doc(), 'bench');
m.ensureWorkspace(ctx);
const { runId } = m.startRun(ctx, { experimentId: '0' });
let text = m.editRunNote(ctx, { runId, before: '', edit: { index: 0, deleteCount: 0, insert: 'x'.repeat(4000) } });
const edits = [];
for (let i = 0; i < 2000; i++) {
  // A page's edit made on a text that lacks a peer's word at the start (rebased), one character appended.
  const before = text.slice(1);
  const s = performance.now();
  text = m.editRunNote(ctx, { runId, before, edit: { index: before.length - 1, deleteCount: 1, insert: 'y' } });
  edits.push(performance.now() - s);
}

const a = m.memoryCtx(new Y.Doc(), 'a');
const b = m.memoryCtx(new Y.Doc(), 'b');
m.ensureWorkspace(a);
Y.applyUpdate(b.ws, Y.encodeStateAsUpdate(a.ws));
const run2 = m.startRun(a, { experimentId: '0' }).runId;
const sync = () => {
  const da = a.runDoc(run2);
  const db = b.runDoc(run2);
  Y.applyUpdate(db, Y.encodeStateAsUpdate(da, Y.encodeStateVector(db)));
  Y.applyUpdate(da, Y.encodeStateAsUpdate(db, Y.encodeStateVector(da)));
};
sync();
let ta = '';
let tb = '';
t = performance.now();
for (let i = 0; i < 2000; i++) {
  ta = m.editRunNote(a, { runId: run2, before: ta, edit: { index: 0, deleteCount: 0, insert: 'a' } });
  tb = m.editRunNote(b, { runId: run2, before: tb, edit: { index: tb.length, deleteCount: 0, insert: 'b' } });
  if (i % 10 === 9) {
    sync();
    ta = m.readRunNote(a.runDoc(run2));
    tb = m.readRunNote(b.runDoc(run2));
  }
}
sync();
const typingMs = performance.now() - t;
const final = m.readRunNote(a.runDoc(run2));
const ok = final === m.readRunNote(b.runDoc(run2)) && (final.match(/a/g) ?? []).length === 2000 && (final.match(/b/g) ?? []).length === 2000;

report('manage', [
  ['upload hash, incremental SHA-256 (256 MB, 4 MB slices)', `${fmt(TOTAL / 2 ** 20 / (oursMs / 1000), 0)} MB/s`, `${fmt(oursMs, 0)} ms; node:crypto ${fmt(TOTAL / 2 ** 20 / (nodeMs / 1000), 0)} MB/s`],
  ['description edit, rebased, 4,000-char text (median of 2,000)', `${fmt(median(edits), 3)} ms`, `p95 ${fmt([...edits].sort((x, y) => x - y)[1900], 3)} ms`],
  ['two replicas × 2,000 keystrokes, sync every 10', `${fmt(typingMs, 0)} ms`, ok ? 'both keep every character, converged' : 'DIVERGED'],
]);
