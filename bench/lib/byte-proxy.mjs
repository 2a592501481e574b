// A TCP proxy on 127.0.0.1 in front of a relay that counts the bytes each way: everything a client receives over
// HTTP and WebSocket (headers and frame overhead included), whatever library it uses to talk to the relay.
//   const proxy = await startByteProxy(relayUrl);   // proxy.url is what the client is given
//   proxy.reset(); ...; proxy.down / proxy.up / proxy.connections; await proxy.close();
import { createServer, connect } from 'node:net';

export async function startByteProxy(targetUrl) {
  const target = new URL(targetUrl);
  const sockets = new Set();
  const stats = { down: 0, up: 0, connections: 0 };
  const server = createServer((client) => {
    stats.connections++;
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (d) => (stats.up += d.length));
    upstream.on('data', (d) => (stats.down += d.length));
    client.pipe(upstream);
    upstream.pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    get down() {
      return stats.down;
    },
    get up() {
      return stats.up;
    },
    get connections() {
      return stats.connections;
    },
    /** Open connections right now (a client that closed cleanly leaves none). */
    get open() {
      return sockets.size / 2;
    },
    reset() {
      stats.down = 0;
      stats.up = 0;
      stats.connections = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
