// The second client of bench/ingest.mjs: a live subscription to one run's metrics room (`<ws>/run/<id>/metrics`,
// format 2) through the stock y-websocket provider, as a browser tab watching a chart would hold it. Counts metric
// points as chunks arrive (chunk header: u8 format, varuint key length, key, varuint n) and prints the wall-clock time
// it saw the last one.
//   node watch-run.mjs <relayUrl> <room> <expectedPoints>
// stdout: `ready` once synced, then `done <points> <wallMs> <metricsDocBytes>`.
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

const [relay, room, expectedArg] = process.argv.slice(2);
const expected = Number(expectedArg);
const wallMs = () => performance.timeOrigin + performance.now();

function readVarUint(b, pos) {
  let v = 0;
  let mult = 1;
  for (;;) {
    const byte = b[pos.i++];
    v += (byte & 0x7f) * mult;
    if (byte < 0x80) return v;
    mult *= 128;
  }
}

function pointsIn(chunk) {
  const pos = { i: 1 };
  const keyLen = readVarUint(chunk, pos);
  pos.i += keyLen;
  return readVarUint(chunk, pos);
}

const doc = new Y.Doc();
let points = 0;
let finished = false;
doc.getArray('chunks').observe((e) => {
  for (const d of e.changes.delta) if (d.insert) for (const c of d.insert) points += pointsIn(c);
  if (!finished && points >= expected) {
    finished = true;
    const at = wallMs();
    const bytes = Y.encodeStateAsUpdate(doc).length;
    process.stdout.write(`done ${points} ${at} ${bytes}\n`);
  }
});
const provider = new WebsocketProvider(`${relay.replace(/^http/, 'ws')}/sync`, room, doc, {
  WebSocketPolyfill: WebSocket,
  disableBc: true,
  resyncInterval: -1,
});
provider.on('sync', (synced) => {
  if (synced) process.stdout.write('ready\n');
});
