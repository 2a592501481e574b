// A relay for bench/relay-rss.mjs: server/relay's startRelay (bundled from source) in this process alone, with rooms
// kept loaded for an hour so every document read stays in memory. Prints `listening <url>`; SIGTERM closes it.
//   node relay-server.mjs <relayBundle.mjs> <dataDir>
import { pathToFileURL } from 'node:url';

const [bundle, dataDir] = process.argv.slice(2);
const { startRelay } = await import(pathToFileURL(bundle).href);
const relay = await startRelay({ dataDir, port: 0, auth: 'open', roomUnloadDelayMs: 3_600_000, log: () => {} });
process.stdout.write(`listening ${relay.url}\n`);
process.on('SIGTERM', () => relay.close().then(() => process.exit(0)));
