import * as decoding from 'lib0/decoding';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { adoptExitHandler, dropExitHandler } from '../../../lib/relay-client/exit-hook';
import { encodeFlushRequest, MSG_AUTH, MSG_FLUSH } from '../../../lib/relay-client/protocol';
import { waitFor } from './wait';

export const syncUrl = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/sync`;

export interface TestClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Acks received so far: request id → status. */
  acks: Map<number, number>;
  /** Reasons of auth (permission denied) frames received. */
  denied: string[];
  /** Sends a flush request on the current socket; returns its id, or null when not connected. */
  requestFlush(): number | null;
  /** Requests a flush and waits for its ack status. */
  flush(): Promise<number>;
  destroy(): void;
}

/** The stock y-websocket provider, as a browser uses it, plus Cairn's flush ack handler. */
export function connectClient(httpUrl: string, room: string, opts: { token?: string; doc?: Y.Doc } = {}): TestClient {
  const doc = opts.doc ?? new Y.Doc();
  const provider = new WebsocketProvider(syncUrl(httpUrl), room, doc, {
    params: opts.token ? { token: opts.token } : {},
    // Node 20 has no global WebSocket.
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 100,
  });
  // Its process 'exit' listener joins lib/relay-client's shared one (a test with eleven clients warned MaxListeners).
  adoptExitHandler(provider);
  const acks = new Map<number, number>();
  let nextId = 1;
  provider.messageHandlers[MSG_FLUSH] = (_enc, dec) => {
    const id = decoding.readVarUint(dec);
    acks.set(id, decoding.readVarUint(dec));
  };
  const denied: string[] = [];
  provider.messageHandlers[MSG_AUTH] = (_enc, dec) => {
    if (decoding.readVarUint(dec) === 0) denied.push(decoding.readVarString(dec));
  };
  const requestFlush = (): number | null => {
    const ws = provider.ws;
    if (!ws || ws.readyState !== 1) return null;
    const id = nextId++;
    ws.send(encodeFlushRequest(id));
    return id;
  };
  return {
    doc,
    provider,
    acks,
    denied,
    requestFlush,
    async flush() {
      const id = await waitFor(() => (provider.synced ? requestFlush() : null), 'a synced socket to flush on');
      return waitFor(() => (acks.has(id) ? { status: acks.get(id)! } : null), `flush ack ${id}`).then((r) => r.status);
    },
    destroy() {
      dropExitHandler(provider);
      provider.destroy();
      doc.destroy();
    },
  };
}

export function waitSynced(client: TestClient, what = 'provider to sync'): Promise<boolean> {
  return waitFor(() => client.provider.synced, what);
}

export interface RawClient {
  ws: WebSocket;
  frames: Uint8Array[];
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  /** The HTTP status if the upgrade was refused. */
  refused: Promise<number>;
}

/** A bare `ws` socket for frames the provider would never send. Records every frame from the first byte. */
export function rawClient(httpUrl: string, room: string, opts: { token?: string; headers?: Record<string, string> } = {}): RawClient {
  const q = opts.token ? `?token=${encodeURIComponent(opts.token)}` : '';
  const ws = new WebSocket(`${syncUrl(httpUrl)}/${room}${q}`, { headers: opts.headers ?? {} });
  const frames: Uint8Array[] = [];
  ws.on('message', (data: Buffer) => frames.push(new Uint8Array(data)));
  ws.on('error', () => undefined);
  let onRefused: (status: number) => void = () => undefined;
  const refused = new Promise<number>((resolve) => (onRefused = resolve));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (req, res) => {
      // With a listener attached, ws leaves aborting the refused request to us.
      onRefused(res.statusCode ?? 0);
      reject(new Error(`upgrade refused: ${res.statusCode}`));
      res.resume();
      req.destroy();
    });
  });
  opened.catch(() => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { ws, frames, opened, closed, refused };
}

/** Message type of a frame (its first varuint). */
export const frameType = (f: Uint8Array): number => decoding.readVarUint(decoding.createDecoder(f));
