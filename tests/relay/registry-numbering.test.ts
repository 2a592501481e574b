import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryCtx } from '../../lib/doc/index';
import * as reg from '../../lib/registry/index';
import { connectClient, waitSynced } from './helpers/clients';
import { fetchDoc } from './helpers/docs';
import { MemoryDocStore } from '../../server/relay/memory-doc-store';
import { startTestRelay, type TestRelay } from './helpers/in-process';
import { waitFor } from './helpers/wait';

const RUN = 'f129209dad4a438aa17a8813ab8e00cc';

describe('the relay numbers registry versions (REG-N1)', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.dispose();
  });

  it('[REG-N1] [REG-N2] two replicas registering versions of one model offline both keep them: the relay numbers them 1..n in the order it sees them, and every replica reads the same numbers', async () => {
    const seed = new Y.Doc();
    const sc = memoryCtx(seed, 'seed');
    reg.createRegisteredModel(sc, { name: 'offline-model' });
    const start = Y.encodeStateAsUpdate(seed);
    // Two replicas, offline: each registers two versions, pending.
    const docs = [new Y.Doc(), new Y.Doc()];
    for (const d of docs) Y.applyUpdate(d, start);
    const ids = docs.map((d, i) => {
      const c = memoryCtx(d, `writer-${i}`);
      return [0, 1].map((k) => reg.createModelVersion(c, { name: 'offline-model', source: `runs:/${RUN}/m${i}${k}` }).versionId);
    });
    for (const d of docs) expect(reg.readRegistry(d).pending).toHaveLength(2);

    // They come online one after the other.
    const a = connectClient(relay.url, 'ws-num', { doc: docs[0] });
    await waitSynced(a);
    await waitFor(() => reg.readRegistry(a.doc).pending.length === 0, 'a’s versions numbered');
    const b = connectClient(relay.url, 'ws-num', { doc: docs[1] });
    await waitSynced(b);
    try {
      const numbers = (d: Y.Doc) => Object.fromEntries(ids.flat().map((id) => [id, reg.readRegistry(d).versionById(id)?.version ?? null]));
      await waitFor(() => Object.values(numbers(a.doc)).every((n) => n !== null) && Object.values(numbers(b.doc)).every((n) => n !== null), 'all four numbered on both');
      expect(numbers(a.doc)).toEqual(numbers(b.doc));
      expect(ids[0]!.map((id) => numbers(a.doc)[id])).toEqual([1, 2]);
      expect(ids[1]!.map((id) => numbers(a.doc)[id])).toEqual([3, 4]);
      expect(reg.readRegistry(b.doc).versionById(ids[1]![0]!)!.status).toBe('READY');
      // The relay's stored copy agrees; the numbering is in the history as the relay's.
      const stored = await fetchDoc(relay.url, 'ws-num');
      expect(numbers(stored)).toEqual(numbers(a.doc));
      const view = reg.readRegistry(stored);
      const numberedBy = view.history(view.modelByName('offline-model')!.modelId).filter((e) => e.kind === 'version.number').map((e) => e.actor);
      expect(numberedBy).toEqual(['relay', 'relay', 'relay', 'relay']);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('[REG-N1] a version stored but not numbered (the relay died between the two commits) is numbered when its room loads again', async () => {
    // A store holding a pending version, as if the relay had died between the version's commit and its numbering.
    const store = new MemoryDocStore();
    const d = new Y.Doc();
    const c = memoryCtx(d, 'w');
    reg.createRegisteredModel(c, { name: 'crashy' });
    reg.createModelVersion(c, { name: 'crashy', source: `runs:/${RUN}/m` });
    store.append('ws-crash', Y.encodeStateAsUpdate(d));
    const second = await startTestRelay({ docStore: store });
    const client = connectClient(second.url, 'ws-crash');
    try {
      await waitSynced(client);
      await waitFor(() => reg.readRegistry(client.doc).versions[0]?.version === 1, 'the version numbered on load');
    } finally {
      client.destroy();
      await second.dispose();
    }
  });
});
