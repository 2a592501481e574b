import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Authenticator, tokenFromRequest } from './auth';
import { DiskBlobStore } from './blob-store';
import { isLoopbackHost, resolveRelayOptions, type RelayOptions, type ResolvedRelayOptions } from './config';
import { openRelayDatabase, type SqliteDb } from './database';
import type { DocStore } from './doc-store';
import { handleHttp } from './http-routes';
import { rawHttpError } from './http-response';
import { MemoryDocStore } from './memory-doc-store';
import { OriginPolicy } from './origin-policy';
import { CLOSE_BAD_REQUEST, CLOSE_GOING_AWAY, CLOSE_INTERNAL_ERROR, CLOSE_UNAUTHENTICATED, encodePermissionDenied } from './protocol';
import { parseRoomName } from './room-name';
import { RoomRegistry, type Room } from './rooms';
import { SqliteDocStore } from './sqlite-doc-store';
import { StaticApp } from './static-app';
import { SyncConnection, truncateReason } from './sync-connection';
import { TokenStore } from './token-store';

/** Dead peers (laptop lid closed) are noticed within two of these; same as the stock y-websocket server. */
const PING_INTERVAL_MS = 30_000;
const SYNC_PREFIX = '/sync/';
/** On shutdown, peers get this long to answer the close frame before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 1_000;

export interface RelayHandle {
  /** http://host:port — WebSocket clients use ws://host:port/sync. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the relay (HTTP + WebSocket on one port) and resolves once it is listening. */
export async function startRelay(options: RelayOptions): Promise<RelayHandle> {
  const o = resolveRelayOptions(options);
  const needDb = o.storage === 'sqlite' || o.auth === 'tokens';
  const db: SqliteDb | null = needDb ? openRelayDatabase(o.dataDir) : null;
  const store: DocStore = o.storage === 'sqlite' ? new SqliteDocStore(db!) : new MemoryDocStore();
  const auth = new Authenticator(o.auth, o.auth === 'tokens' ? new TokenStore(db!) : null);
  const origins = new OriginPolicy(o.allowOrigins, isLoopbackHost(o.host));
  const rooms = new RoomRegistry(
    store,
    { compactAfterRows: o.compactAfterRows, compactAfterBytes: o.compactAfterBytes, unloadDelayMs: o.roomUnloadDelayMs },
    o.log,
  );
  const blobs = new DiskBlobStore(o.dataDir, o.maxBlobBytes);
  const app = o.appDir ? new StaticApp(o.appDir) : null;
  const connections = new Set<SyncConnection>();

  const server = createServer((req, res) => {
    void handleHttp({ auth, origins, rooms, blobs, app, appWorkspace: o.appWorkspace }, req, res);
  });
  // maxPayload: ws closes an oversized frame's connection with 1009 before buffering it whole.
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      const url = new URL(req.url ?? '/', 'http://relay.invalid');
      if (!url.pathname.startsWith(SYNC_PREFIX)) {
        return rejectUpgrade(socket, 404, 'Not Found', 'ENDPOINT_NOT_FOUND', `no WebSocket endpoint at ${url.pathname}`);
      }
      if (!origins.hostAllowed(req) || !origins.allows(req)) {
        return rejectUpgrade(socket, 403, 'Forbidden', 'PERMISSION_DENIED', `origin '${req.headers.origin}' is not allowed`);
      }
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, url, req));
    } catch (err) {
      o.log(`upgrade failed: ${(err as Error).message}`);
      socket.destroy();
    }
  });

  function onConnection(ws: WebSocket, url: URL, req: IncomingMessage): void {
    ws.on('error', () => undefined);
    const parsed = parseRoomName(url.pathname.slice(SYNC_PREFIX.length));
    if (!parsed.ok) return ws.close(CLOSE_BAD_REQUEST, truncateReason(parsed.message));
    // Refused before any document byte is sent: the auth frame, then a 4401 the stock provider will not retry.
    const access = auth.forWorkspace(tokenFromRequest(req, url), parsed.room.workspace, 'read');
    if (!access.ok) {
      ws.send(encodePermissionDenied(`unauthenticated: ${access.message}`));
      return ws.close(CLOSE_UNAUTHENTICATED, truncateReason(`unauthenticated: ${access.message}`));
    }
    let room: Room;
    try {
      room = rooms.open(parsed.room);
    } catch (err) {
      o.log(`room ${parsed.room.name}: load failed: ${(err as Error).message}`);
      return ws.close(CLOSE_INTERNAL_ERROR, 'room could not be loaded');
    }
    const onClose = (c: SyncConnection) => {
      connections.delete(c);
      rooms.releaseIfIdle(room);
    };
    const conn = new SyncConnection(ws, room, access.role === 'read', onClose, o.log);
    connections.add(conn);
    conn.start();
  }

  const pinger = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        conn.terminate();
        continue;
      }
      conn.alive = false;
      conn.ping();
    }
  }, PING_INTERVAL_MS);
  pinger.unref();

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(o.port, o.host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  }).catch((err: unknown) => {
    closeStorage(store, db);
    throw err;
  });
  server.on('error', (err) => o.log(`http server error: ${err.message}`));
  server.on('clientError', (_err, socket) => socket.destroy());

  const port = (server.address() as AddressInfo).port;
  const url = `http://${formatHost(o.host)}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close: () => (closing ??= shutdown()),
  };

  async function shutdown(): Promise<void> {
    clearInterval(pinger);
    const closed = new Promise<void>((done) => server.close(() => done()));
    for (const conn of [...connections]) conn.close(CLOSE_GOING_AWAY, 'relay shutting down');
    server.closeAllConnections();
    const grace = setTimeout(() => {
      for (const ws of wss.clients) ws.terminate();
    }, SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(grace);
    wss.close();
    rooms.unloadAll();
    closeStorage(store, db);
  }
}

function closeStorage(store: DocStore, db: SqliteDb | null): void {
  store.close();
  db?.close();
}

function rejectUpgrade(socket: Duplex, status: number, reason: string, code: Parameters<typeof rawHttpError>[2], message: string): void {
  socket.end(rawHttpError(status, reason, code, message));
}

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return host === '::' ? '[::1]' : '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export type { RelayOptions, ResolvedRelayOptions };
