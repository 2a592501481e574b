import { expect } from 'vitest';
import * as Y from 'yjs';
import * as doc from '../../../lib/doc';
import type { Run } from '../../../lib/domain';
import { connectClient, waitSynced, type TestClient } from './clients';

/**
 * A format-2 writer as a client of the relay: lib/doc's commands on a workspace doc and one run doc per run (plus
 * metrics docs), each synced through its own room with the stock provider. The docs outlive the sockets, so the same
 * writer can reconnect to a restarted relay (`connect(url)`) and keep writing.
 */
export class RunWriter {
  readonly ws = new Y.Doc();
  readonly runDocs = new Map<string, Y.Doc>();
  readonly metricsDocs = new Map<string, Y.Doc>();
  readonly ctx: doc.Ctx;
  private clients = new Map<string, TestClient>();
  private url: string;
  private t = 1_700_000_000_000;

  constructor(url: string, readonly workspace: string, actor = 'writer') {
    this.url = url;
    this.ctx = { ws: this.ws, actor, now: () => ++this.t, runDoc: (id) => this.runDoc(id) };
    this.attach(workspace, this.ws);
  }

  runDoc(id: string): Y.Doc {
    let d = this.runDocs.get(id);
    if (!d) {
      this.runDocs.set(id, (d = new Y.Doc()));
      this.attach(`${this.workspace}/run/${id}`, d);
    }
    return d;
  }

  metricsDoc(id: string): Y.Doc {
    let d = this.metricsDocs.get(id);
    if (!d) {
      this.metricsDocs.set(id, (d = new Y.Doc()));
      this.attach(`${this.workspace}/run/${id}/metrics`, d);
    }
    return d;
  }

  private attach(room: string, d: Y.Doc): void {
    this.clients.set(room, connectClient(this.url, room, { doc: d }));
  }

  async ready(): Promise<void> {
    await waitSynced(this.clients.get(this.workspace)!);
  }

  /** Every room's flush acknowledged with status 0 (persisted). */
  async flush(): Promise<void> {
    for (const [room, c] of this.clients) expect(await c.flush(), room).toBe(0);
  }

  /** The runs as this writer reads them from its run docs (what the relay's index must say). */
  runs(experimentId?: string): Run[] {
    return doc.listRuns(this.runDocs, { view: 'ALL', ...(experimentId ? { experimentIds: [experimentId] } : {}) });
  }

  /** Drops the sockets (the docs stay). */
  disconnect(): void {
    for (const c of this.clients.values()) c.provider.destroy();
    this.clients.clear();
  }

  /** Sockets to another relay for every doc held; resolves once all are synced. */
  async connect(url: string): Promise<void> {
    this.disconnect();
    this.url = url;
    this.attach(this.workspace, this.ws);
    for (const [id, d] of this.runDocs) this.attach(`${this.workspace}/run/${id}`, d);
    for (const [id, d] of this.metricsDocs) this.attach(`${this.workspace}/run/${id}/metrics`, d);
    for (const c of this.clients.values()) await waitSynced(c);
  }

  destroy(): void {
    this.disconnect();
    for (const d of [this.ws, ...this.runDocs.values(), ...this.metricsDocs.values()]) d.destroy();
  }
}
