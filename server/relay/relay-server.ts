import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Authenticator, tokenFromRequest, type Access } from './auth';
import { AwarenessBudget, MAX_AWARENESS_MESSAGE_BYTES } from './awareness-gate';
import { guardMessageSizes } from './message-guard';
import { DiskBlobStore } from './blob-store';
import { join } from 'node:path';
import { IndexService, rebuildAll } from './index-service';
import { IndexTables } from './index-tables';
import { READ_ONLY_MAX_FRAME_BYTES, isLoopbackHost, resolveRelayOptions, type RelayOptions, type ResolvedRelayOptions } from './config';
import { DB_FILE_NAME, META_INDEX_BUILT, META_RELAY_PID, getMeta, openMemoryDatabase, openRelayDatabase, setMeta, type SqliteDb } from './database';
import { upgradeDataFolder } from './data-upgrade';
import { scheduleNumbering } from './registry-numbering';
import { Format1Runs } from './format1-live';
import { RunReader } from './run-reader';
import type { DocStore } from './doc-store';
import { handleHttp } from './http-routes';
import { MlflowDoor } from './mlflow-rest/door';
import { rawHttpError } from './http-response';
import { MemoryDocStore } from './memory-doc-store';
import { OriginPolicy } from './origin-policy';
import {
  AUTH_UNAUTHENTICATED,
  CLOSE_BAD_REQUEST,
  CLOSE_GOING_AWAY,
  CLOSE_INTERNAL_ERROR,
  CLOSE_TOO_MANY,
  CLOSE_UNAUTHENTICATED,
  encodeIndexChanged,
  encodePermissionDenied,
} from '../../lib/relay-client/protocol';
import { parseRoomName, runOfRunRoom } from './room-name';
import { RoomRegistry, type Room } from './rooms';
import { SqliteDocStore } from './sqlite-doc-store';
import { StaticApp } from './static-app';
import { SyncConnection, truncateReason, type ConnectionGrant } from './sync-connection';
import { TokenStore } from './token-store';

/** y-websocket message type 1 (awareness) is limited while it arrives; everything else up to maxFrameBytes. */
const presenceLimit = (messageType: number): number => (messageType === 1 ? MAX_AWARENESS_MESSAGE_BYTES : Infinity);
/** Dead peers (laptop lid closed) are noticed within two of these; same as the stock y-websocket server. */
const PING_INTERVAL_MS = 30_000;
const SYNC_PREFIX = '/sync/';
/** On shutdown, peers get this long to answer the close frame before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 1_000;

/** Request line plus headers accepted (RELAY-42): a URL holding 10k selected run ids is ~370 KB. */
export const MAX_HEADER_BYTES = 512 * 1024;

export interface RelayHandle {
  /** http://host:port — WebSocket clients use ws://host:port/sync. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the relay (HTTP + WebSocket on one port) and resolves once it is listening. */
const LISTEN_BACKLOG = 4096;

export async function startRelay(options: RelayOptions): Promise<RelayHandle> {
  const o = resolveRelayOptions(options);
  const needDb = (o.storage === 'sqlite' && !o.docStore) || o.auth === 'tokens';
  const db: SqliteDb | null = needDb ? openRelayDatabase(o.dataDir, o.maxDbBytes === null ? {} : { maxBytes: o.maxDbBytes }) : null;
  const sqliteStore = !o.docStore && o.storage === 'sqlite' ? new SqliteDocStore(db!) : null;
  const store: DocStore = o.docStore ?? sqliteStore ?? new MemoryDocStore();
  const ownsStore = o.docStore === null;
  // The indexes live beside the rooms when the rooms are in our SQLite file (a run's dirty marker then commits with
  // its update, RELAY-34); otherwise in memory, like the rooms of a memory store.
  const indexDb = sqliteStore ? db! : openMemoryDatabase();
  let indexes: IndexService;
  let rooms: RoomRegistry;
  try {
    if (sqliteStore) upgradeDataFolder(db!, join(o.dataDir, DB_FILE_NAME), sqliteStore, o.log);
    const tables = new IndexTables(indexDb);
    rooms = new RoomRegistry(
      store,
      { compactAfterRows: o.compactAfterRows, compactAfterBytes: o.compactAfterBytes, unloadDelayMs: o.roomUnloadDelayMs },
      o.log,
    );
    const registry = rooms;
    indexes = new IndexService(rooms, store, tables, {
      idleMs: o.roomUnloadDelayMs,
      log: o.log,
      staleSnapshotBytes: o.indexStaleSnapshotBytes,
      ...(o.indexFoldDelayMs !== undefined ? { foldDelayMs: o.indexFoldDelayMs } : {}),
      // RELAY-40: the workspace's sockets hear that an index moved; their runs tables fetch the delta at once.
      changed: (ws, exp, seq, epoch) => registry.peek(ws)?.notify(encodeIndexChanged(exp, seq, epoch)),
    });
    sqliteStore?.setAppendHook((room, seq) => {
      const run = runOfRunRoom(room);
      if (run) tables.markDirty(run.workspace, run.runId, seq);
    });
    const format1 = new Format1Runs(rooms, o.log);
    const idx = indexes;
    const log = o.log;
    const numberingFailed = (name: string) => (err: unknown) => log(`room ${name}: numbering registry versions failed (retried at the next update): ${(err as Error).message}`);
    rooms.hooks = {
      loaded: (room) => {
        format1.check(room);
        if (room.name.kind === 'workspace') scheduleNumbering(room, numberingFailed(room.name.name));
      },
      committed: (name, seq, room) => {
        if (name.kind === 'run') idx.runAppended(name.name, seq, sqliteStore !== null);
        else if (name.kind === 'workspace' && room) {
          format1.check(room);
          // REG-N1: versions registered offline get their numbers from the relay as soon as it sees them.
          scheduleNumbering(room, numberingFailed(name.name));
        }
      },
    };
    // Built from every run doc when the tables are new or an upgrade left them unbuilt (RELAY-35); a memory or
    // embedder's store is indexed at every start.
    if (sqliteStore ? getMeta(db!, META_INDEX_BUILT) === null : store.listRooms) {
      rebuildAll(tables, store, new RunReader(store, null), o.log);
      if (sqliteStore) setMeta(db!, META_INDEX_BUILT, '1');
    }
    // Runs left dirty by a kill (their markers committed with their updates) are folded in at once.
    if (tables.dirtyWorkspaces().length > 0) indexes.scheduleFold(0);
  } catch (err) {
    closeStorage(ownsStore ? store : null, db, indexDb === db ? null : indexDb);
    throw err;
  }
  const auth = new Authenticator(o.auth, o.auth === 'tokens' ? new TokenStore(db!) : null);
  const origins = new OriginPolicy(o.allowOrigins, isLoopbackHost(o.host));
  const blobs = new DiskBlobStore(o.dataDir, o.maxBlobBytes);
  const app = o.appDir ? new StaticApp(o.appDir) : null;
  const connections = new Set<SyncConnection>();
  const perToken = new TokenCaps(o.maxConnectionsPerToken, o.maxRoomsPerToken);
  /** Presence budgets per party, shared by its sockets; dropped with its last socket. */
  const budgets = new Map<string, { budget: AwarenessBudget; sockets: number }>();
  let connectionSerial = 0;

  /** RELAY-36: memory figures for tests and operators, only when asked for (`debugRoutes`, CAIRN_RELAY_DEBUG=1). */
  const debug = o.debugRoutes
    ? () => {
        (globalThis as { gc?: () => void }).gc?.();
        return { ...process.memoryUsage(), loadedRooms: rooms.loadedRoomNames.length, cachedIndexBytes: indexes.cachedBytes };
      }
    : null;
  const mlflow = new MlflowDoor({ auth, origins, rooms, store, indexes, defaultWorkspace: o.appWorkspace, blobs, uploadTmpDir: join(o.dataDir, 'blobs', 'tmp') });
  const roomHooks = rooms.hooks;
  rooms.hooks = { ...roomHooks, committed: (name, seq, room) => (roomHooks.committed?.(name, seq, room), mlflow.committed(name.name)) };
  // RELAY-42: an app page's URL may carry a view with thousands of selected runs (TABLE-8); Node's default of 16 KiB
  // of request line and headers refused its reload with 431.
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    void handleHttp({ auth, indexes, origins, rooms, blobs, app, appWorkspace: o.appWorkspace, debug, mlflow }, req, res);
  });
  // maxPayload: ws closes an oversized frame's connection with 1009 before buffering it whole. Read tokens (and
  // refused sockets) only ever send handshakes and presence, so they get a far smaller ceiling (RELAY-27).
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes });
  const wssSmall = new WebSocketServer({ noServer: true, maxPayload: Math.min(o.maxFrameBytes, READ_ONLY_MAX_FRAME_BYTES) });

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
      const parsed = parseRoomName(url.pathname.slice(SYNC_PREFIX.length));
      const token = tokenFromRequest(req, url);
      const access = parsed.ok ? auth.forWorkspace(token, parsed.room.workspace, 'read') : null;
      const target = access?.ok && access.role !== 'read' ? wss : wssSmall;
      target.handleUpgrade(req, socket, head, (ws) => {
        guardMessageSizes(ws, socket, presenceLimit);
        onConnection(ws, parsed, access, token, url.searchParams.get('notices') === '1');
      });
    } catch (err) {
      o.log(`upgrade failed: ${(err as Error).message}`);
      socket.destroy();
    }
  });

  function onConnection(ws: WebSocket, parsed: ReturnType<typeof parseRoomName>, access: Access | null, token: string | null, notices: boolean): void {
    ws.on('error', () => undefined);
    if (!parsed.ok || !access) return ws.close(CLOSE_BAD_REQUEST, truncateReason(parsed.ok ? 'bad room' : parsed.message));
    // Refused before any document byte is sent: the auth frame, then a 4401 the stock provider will not retry.
    if (!access.ok) {
      ws.send(encodePermissionDenied(AUTH_UNAUTHENTICATED, `unauthenticated: ${access.message}`));
      return ws.close(CLOSE_UNAUTHENTICATED, truncateReason(`unauthenticated: ${access.message}`));
    }
    const over = access.tokenId === null ? null : perToken.refusal(access.tokenId, parsed.room.name);
    if (over) return ws.close(CLOSE_TOO_MANY, truncateReason(over));
    let room: Room;
    try {
      room = rooms.open(parsed.room);
    } catch (err) {
      o.log(`room ${parsed.room.name}: load failed: ${(err as Error).message}`);
      return ws.close(CLOSE_INTERNAL_ERROR, 'room could not be loaded');
    }
    const tokenId = access.tokenId;
    // One principal per token: a token is one party (RELAY-24). Open mode has no parties, so each socket is one.
    const principal = tokenId === null ? `connection:${++connectionSerial}` : `token:${tokenId}`;
    const shared = budgets.get(principal) ?? { budget: new AwarenessBudget(), sockets: 0 };
    shared.sockets++;
    budgets.set(principal, shared);
    const onClose = (c: SyncConnection) => {
      connections.delete(c);
      if (tokenId !== null) perToken.release(tokenId, room.name.name);
      if (--shared.sockets === 0) budgets.delete(principal);
      rooms.releaseIfIdle(room);
    };
    const grant: ConnectionGrant = {
      principal,
      readOnly: access.role === 'read',
      invalid: auth.watch(token),
      awareness: shared.budget,
      notices,
    };
    if (tokenId !== null) perToken.add(tokenId, room.name.name);
    const conn = new SyncConnection(ws, room, grant, onClose, o.log);
    connections.add(conn);
    conn.start();
  }

  // Revoked and expired tokens are also caught on every frame in or out; this sweep closes the quiet ones (RELAY-28).
  const tokenSweep = setInterval(() => {
    for (const conn of [...connections]) conn.checkGrant();
  }, o.tokenSweepMs);
  tokenSweep.unref();

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
    // A deep accept queue: a script opening thousands of run sockets at once (or many clients starting together) is
    // queued rather than dropped into the clients' retry back-off (the kernel caps it at net.core.somaxconn).
    server.listen({ port: o.port, host: o.host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  }).catch((err: unknown) => {
    indexes.close();
    closeStorage(ownsStore ? store : null, db, indexDb === db ? null : indexDb);
    throw err;
  });
  if (sqliteStore) recordPid(db!, String(process.pid), o.log);
  server.on('error', (err) => o.log(`http server error: ${err.message}`));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket));

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
    clearInterval(tokenSweep);
    const closed = new Promise<void>((done) => server.close(() => done()));
    for (const conn of [...connections]) conn.close(CLOSE_GOING_AWAY, 'relay shutting down');
    server.closeAllConnections();
    const grace = setTimeout(() => {
      for (const ws of wss.clients) ws.terminate();
    }, SHUTDOWN_GRACE_MS);
    await closed;
    clearTimeout(grace);
    wss.close();
    wssSmall.close();
    // Dirty runs folded in before the store closes: the next start finds nothing to re-read.
    indexes.close();
    rooms.unloadAll();
    if (sqliteStore) recordPid(db!, null, o.log);
    closeStorage(ownsStore ? store : null, db, indexDb === db ? null : indexDb);
  }
}

/** RELAY-35: who serves the file, so `cairn relay reindex` does not rebuild under a running relay. Best effort. */
function recordPid(db: SqliteDb, pid: string | null, log: (line: string) => void): void {
  try {
    setMeta(db, META_RELAY_PID, pid);
  } catch (err) {
    log(`could not record the relay's pid: ${(err as Error).message}`);
  }
}

function closeStorage(store: DocStore | null, db: SqliteDb | null, indexDb: SqliteDb | null): void {
  store?.close();
  db?.close();
  indexDb?.close();
}

/**
 * Requests Node's parser refuses never reach a route; they still get the JSON error shape (RELAY-18): 431 for headers
 * over Node's limit (a bare TCP close leaves a client guessing), 400 for anything else malformed.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) return void socket.destroy();
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const response = tooLarge
    ? rawHttpError(431, 'Request Header Fields Too Large', 'REQUEST_LIMIT_EXCEEDED', 'request headers exceed the relay\'s limit')
    : rawHttpError(400, 'Bad Request', 'BAD_REQUEST', `malformed HTTP request: ${err.code ?? err.message}`);
  socket.end(response, () => socket.destroy());
}

/** Per-token counts of open sockets and of distinct rooms they hold (RELAY-29). */
class TokenCaps {
  private readonly sockets = new Map<string, Map<string, number>>();

  constructor(
    private readonly maxConnections: number,
    private readonly maxRooms: number,
  ) {}

  refusal(tokenId: string, room: string): string | null {
    const rooms = this.sockets.get(tokenId);
    if (!rooms) return null;
    let total = 0;
    for (const n of rooms.values()) total += n;
    if (total >= this.maxConnections) return `too many connections for this token (limit ${this.maxConnections})`;
    if (!rooms.has(room) && rooms.size >= this.maxRooms) return `too many rooms open for this token (limit ${this.maxRooms})`;
    return null;
  }

  add(tokenId: string, room: string): void {
    const rooms = this.sockets.get(tokenId) ?? new Map<string, number>();
    rooms.set(room, (rooms.get(room) ?? 0) + 1);
    this.sockets.set(tokenId, rooms);
  }

  release(tokenId: string, room: string): void {
    const rooms = this.sockets.get(tokenId);
    if (!rooms) return;
    const n = (rooms.get(room) ?? 0) - 1;
    if (n > 0) rooms.set(room, n);
    else rooms.delete(room);
    if (rooms.size === 0) this.sockets.delete(tokenId);
  }
}

function rejectUpgrade(socket: Duplex, status: number, reason: string, code: Parameters<typeof rawHttpError>[2], message: string): void {
  socket.end(rawHttpError(status, reason, code, message));
}

function formatHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return host === '::' ? '[::1]' : '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export type { RelayOptions, ResolvedRelayOptions };
