// One SDK session of bench/sdk-connect.mjs, in a fresh process with a fresh data dir: connect, startRun in an
// existing experiment, 100 points, flush. Prints `result <json>` with the times (ms) of each step, then closes.
//   node sdk-connect-client.mjs <relayUrl> <workspace> <dataDir> <experimentName>
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [relay, workspace, dataDir, experimentName, root] = process.argv.slice(2);
const ti = performance.now();
const { connect } = await import(pathToFileURL(join(root, 'dist', 'sdk', 'index.mjs')).href);
const t0 = performance.now();
const client = await connect({ relay, workspace, dataDir });
const t1 = performance.now();
const run = await client.startRun({ experimentName, runName: 'sdk-connect' });
const t2 = performance.now();
for (let step = 0; step < 100; step++) run.logMetric('loss', 1 / (step + 1), { step });
await run.flush();
const t3 = performance.now();
const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
const rssMb = process.memoryUsage().rss / 2 ** 20;
process.stdout.write(`result ${JSON.stringify({ importMs: t0 - ti, connectMs: t1 - t0, startRunMs: t2 - t1, logFlushMs: t3 - t2, totalMs: t3 - t0, runId: run.id, heapMb, rssMb })}\n`);
await client.close({ timeoutMs: 5_000 });
process.exit(0);
