import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { adoptExitHandler, dropExitHandler } from '../../lib/relay-client/exit-hook';

/**
 * A peer that writes to a relay room with raw Yjs, the stock y-websocket provider and no lib/doc commands: what a
 * buggy or hostile client with a write token can do (the relay checks Yjs well-formedness only). `persisted()`
 * resolves once the relay serves everything this peer wrote (`GET /docs/<room>`, which the relay answers only from
 * what it has stored: RELAY-4, RELAY-16).
 */
export interface HostilePeer {
  doc: Y.Doc;
  persisted(timeoutMs?: number): Promise<void>;
  close(): void;
}

const POLL_MS = 50;

export async function connectHostilePeer(relayHttpUrl: string, room: string, timeoutMs = 15_000): Promise<HostilePeer> {
  const origin = relayHttpUrl.replace(/\/$/, '');
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${origin.replace(/^http/, 'ws')}/sync`, room, doc, {
    // Node 20 has no global WebSocket.
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200,
  });
  // The provider's own process 'exit' listener joins the shared one: a test with a dozen peers tripped Node's
  // MaxListenersExceededWarning (11 exit listeners) in the e2e runner.
  adoptExitHandler(provider);
  await until(() => provider.synced, `the hostile peer to sync room ${room}`, timeoutMs);
  return {
    doc,
    async persisted(ms = timeoutMs) {
      const want = Y.decodeStateVector(Y.encodeStateVector(doc));
      await until(
        async () => {
          const res = await fetch(`${origin}/docs/${room}`);
          if (!res.ok) return false;
          const served = new Y.Doc();
          Y.applyUpdate(served, new Uint8Array(await res.arrayBuffer()));
          const have = Y.decodeStateVector(Y.encodeStateVector(served));
          served.destroy();
          return [...want].every(([client, clock]) => (have.get(client) ?? 0) >= clock);
        },
        `the relay to store the hostile peer's writes to ${room}`,
        ms,
      );
    },
    close() {
      dropExitHandler(provider);
      provider.destroy();
      doc.destroy();
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
