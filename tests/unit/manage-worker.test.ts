import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ensureWorkspace, memoryCtx, startRun } from '@/lib/doc';
import { freshDbName, storeDocs, workerServices } from '../shared/worker-service';

const freshDb = () => freshDbName('manage');
const openService = workerServices();
const service = (dbName: string) => openService(dbName);



const code = async (p: Promise<unknown>) => p.then(() => 'NO_ERROR', (e: { code?: string }) => e.code);

describe('manage worker API (workers/manage-api.ts)', () => {
  it('[RUNPAGE-2] getRunFamily: the parent by its tag and the children from the experiment index', async () => {
    const db = freshDb();
    const ctx = memoryCtx(new Y.Doc(), 'sdk');
    ensureWorkspace(ctx);
    const parent = startRun(ctx, { runName: 'sweep' });
    const kids = ['t1', 't2'].map((runName) => startRun(ctx, { runName, parentRunId: parent.runId }));
    const other = startRun(ctx, { runName: 'unrelated' });
    await storeDocs(db, ctx);
    const api = await service(db);
    const fam = await api.getRunFamily(parent.runId, '0', null);
    expect(fam.parent).toBeNull();
    expect(fam.childCount).toBe(2);
    expect(fam.children.map((c) => c.runName).sort()).toEqual(['t1', 't2']);
    const kid = await api.getRunFamily(kids[0]!.runId, '0', parent.runId);
    expect(kid.parent).toEqual({ runId: parent.runId, runName: 'sweep' });
    expect(kid.childCount).toBe(0);
    expect((await api.getRunFamily(other.runId, '0', null)).childCount).toBe(0);
    expect(await code(api.getRunFamily('bad id!', '0', null))).toBe('INVALID_PARAMETER_VALUE');
    // A parent tag that names no run (any peer can write it) is shown as it is, not an error.
    expect((await api.getRunFamily(kids[1]!.runId, '0', 'not a run id')).parent).toEqual({ runId: 'not a run id', runName: '' });
  });

  it('[RUNPAGE-N2] editRunNote through the worker: stored, read back with a growing version, refused edits write nothing', async () => {
    const db = freshDb();
    const api = await service(db);
    const runId = await api.startRun('0', 'noted');
    const v0 = (await api.getRunNote(runId)).version;
    const r1 = await api.editRunNote(runId, '', { index: 0, deleteCount: 0, insert: 'hello' });
    expect(r1.text).toBe('hello');
    expect(r1.version).toBeGreaterThan(v0);
    // Made on a stale text (the page had not seen "hello"): rebased, nothing lost.
    const r2 = await api.editRunNote(runId, '', { index: 0, deleteCount: 0, insert: '> ' });
    expect(r2.text).toBe('> hello');
    expect(await code(api.editRunNote(runId, 'x', { index: 5, deleteCount: 0, insert: 'y' }))).toBe('INVALID_PARAMETER_VALUE');
    const read = await api.getRunNote(runId);
    expect(read.text).toBe('> hello');
    expect(read.cursors).toEqual([]);
    expect(read.version).toBeGreaterThanOrEqual(r2.version);
    expect((await api.getRun(runId))!.tags['mlflow.note.content']).toBe('> hello');
    // Publishing a caret is accepted; without peers nobody is listed.
    await api.setNoteCursor(runId, 3);
    await api.setNoteCursor(null, 0);
    expect(await code(api.setNoteCursor(runId, -1))).toBe('INVALID_PARAMETER_VALUE');
    // A fresh service on the same database sees the stored text (a write that resolved is kept).
    await api.dispose();
    const again = await service(db);
    expect((await again.getRunNote(runId)).text).toBe('> hello');
  });

  it('[ART-4] artifact reads and uploads need a relay: a local-only workspace says so', async () => {
    const api = await service(freshDb());
    const sha = 'a'.repeat(64);
    expect(await code(api.readArtifactHead(sha, 1024))).toBe('INVALID_STATE');
    expect(await code(api.readArtifactHead('nope', 1024))).toBe('INVALID_PARAMETER_VALUE');
    expect(await code(api.readArtifactHead(sha, 1e12))).toBe('INVALID_PARAMETER_VALUE');
    const runId = await api.startRun('0', 'up');
    expect(await code(api.uploadArtifact(runId, new Blob(['x']), 'a.txt', 'text/plain'))).toBe('INVALID_STATE');
    expect(await code(api.uploadArtifact(runId, new Blob(['x']), '../a.txt', 'text/plain'))).toBe('INVALID_PARAMETER_VALUE');
  });
});
