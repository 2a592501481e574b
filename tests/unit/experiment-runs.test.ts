import { describe, expect, it } from 'vitest';
import { ExperimentIndex, encodeIndex, type IndexRow } from '@/lib/run-index';
import { ExperimentRuns, type FetchLike } from '@/lib/sync';

/** A row as the index holds it, for a run of experiment '1'. */
function row(runId: string, over: Partial<IndexRow> = {}): IndexRow {
  return {
    runId, runName: runId.slice(0, 4), experimentId: '1', userId: 'u', status: 'RUNNING', startTime: 1, endTime: null,
    lifecycleStage: 'active', artifactUri: `mlflow-artifacts:/1/${runId}/artifacts`, parentRunId: null,
    params: {}, tags: {}, metrics: {}, datasets: [], ...over,
  };
}
const id = (c: string) => c.repeat(32);

/** The relay's side: one index, answered as GET /index/... does (delta for the reader's seq and epoch). */
function relayIndex() {
  const index = new ExperimentIndex('1', 'epoch-a');
  const asked: string[] = [];
  let down = false;
  const fetchImpl: FetchLike = async (url) => {
    const u = new URL(url);
    asked.push(u.search);
    if (down) throw new TypeError('fetch failed');
    return new Response(encodeIndex(index.deltaSince(Number(u.searchParams.get('since')), u.searchParams.get('epoch') ?? '')) as Uint8Array<ArrayBuffer>);
  };
  return { index, asked, fetchImpl, setDown: (v: boolean) => void (down = v) };
}

function runsOf(fetchImpl: FetchLike, saved = new Map<string, Uint8Array>()) {
  return new ExperimentRuns({
    workspace: 'w',
    relay: 'http://relay.test',
    token: null,
    fetch: fetchImpl,
    saved: { load: async (e) => saved.get(e), save: (e, v) => void saved.set(e, v()) },
    pollMs: 10,
  });
}

describe('ExperimentRuns', () => {
  it('[SYNC-X1] catches up by deltas (since=seq&epoch), and a new epoch starts over from a snapshot', async () => {
    const r = relayIndex();
    r.index.upsert(row(id('a')));
    const runs = runsOf(r.fetchImpl);
    expect((await runs.rows('1')).map((x) => x.runId)).toEqual([id('a')]);
    r.index.upsert(row(id('b')));
    expect(await runs.refresh('1')).toBe(true);
    expect(r.asked.at(-1)).toBe('?since=1&epoch=epoch-a');
    expect((await runs.rows('1')).map((x) => x.runId).sort()).toEqual([id('a'), id('b')]);
    expect(await runs.refresh('1')).toBe(false);
    r.index.remove(id('a'));
    await runs.refresh('1');
    expect((await runs.rows('1')).map((x) => x.runId)).toEqual([id('b')]);
  });

  it('[SYNC-X2] this replica\'s rows lay over the relay\'s until the relay brings a newer version of that run', async () => {
    const r = relayIndex();
    r.index.upsert(row(id('a'), { status: 'RUNNING' }));
    const runs = runsOf(r.fetchImpl);
    await runs.rows('1');
    // A local write (tag) not on the relay yet, and a run created here only.
    runs.setLocal(id('a'), row(id('a'), { tags: { mine: 'x' } }));
    runs.setLocal(id('c'), row(id('c'), { runName: 'offline' }));
    const merged = await runs.rows('1');
    expect(merged.find((x) => x.runId === id('a'))!.tags).toEqual({ mine: 'x' });
    expect(merged.map((x) => x.runName)).toContain('offline');
    // An unchanged relay index keeps our rows; a delta with a new version of run a (someone finished it) wins.
    await runs.refresh('1');
    expect((await runs.rows('1')).find((x) => x.runId === id('a'))!.tags).toEqual({ mine: 'x' });
    r.index.upsert(row(id('a'), { status: 'FINISHED', tags: { mine: 'x' } }));
    await runs.refresh('1');
    expect((await runs.rows('1')).find((x) => x.runId === id('a'))).toMatchObject({ status: 'FINISHED' });
    // A local row that moved its run to another experiment takes it out of this one.
    runs.setLocal(id('c'), row(id('c'), { experimentId: '2' }));
    expect((await runs.rows('1')).map((x) => x.runId)).not.toContain(id('c'));
  });

  it('[SYNC-X3] a saved copy answers at once (warm open) and is caught up from its seq; offline it is what there is', async () => {
    const r = relayIndex();
    for (const c of 'abc') r.index.upsert(row(id(c)));
    const saved = new Map<string, Uint8Array>();
    const first = runsOf(r.fetchImpl, saved);
    await first.rows('1');
    await new Promise((res) => setTimeout(res, 5));
    expect(saved.has('1')).toBe(true);
    first.stop();
    r.index.upsert(row(id('d')));
    r.setDown(true);
    const warm = runsOf(r.fetchImpl, saved);
    expect((await warm.rows('1')).length).toBe(3);
    expect(warm.isFresh('1')).toBe(false);
    // The attempt the warm open started while the relay was down ends first (refresh joins a request in flight).
    await warm.refresh('1').catch(() => false);
    r.setDown(false);
    await warm.refresh('1');
    expect(r.asked.at(-1)).toBe('?since=3&epoch=epoch-a');
    expect((await warm.rows('1')).length).toBe(4);
    expect(warm.isFresh('1')).toBe(true);
  });

  it('[SYNC-X4] a watched experiment is polled for deltas and signals changes; unwatched, polling stops', async () => {
    const r = relayIndex();
    const runs = runsOf(r.fetchImpl);
    await runs.rows('1');
    const changed: string[] = [];
    runs.onChange((e) => changed.push(e));
    const stop = runs.watch('1');
    r.index.upsert(row(id('e')));
    const until = Date.now() + 2_000;
    while (!changed.includes('1') && Date.now() < until) await new Promise((res) => setTimeout(res, 5));
    expect(changed).toContain('1');
    stop();
    const n = r.asked.length;
    await new Promise((res) => setTimeout(res, 50));
    expect(r.asked.length).toBeLessThanOrEqual(n + 1);
    runs.stop();
  });

  it('[SYNC-X5] a notice from the relay (MSG_INDEX_CHANGED) past the copy\'s seq fetches the delta at once; one not past it does not', async () => {
    const r = relayIndex();
    r.index.upsert(row(id('a')));
    const runs = runsOf(r.fetchImpl);
    await runs.rows('1');
    const asked = r.asked.length;
    runs.noticed('1', r.index.seq, r.index.epoch);
    runs.noticed('2', 99, 'x'); // an experiment nobody looked at: nothing
    await new Promise((res) => setTimeout(res, 20));
    expect(r.asked.length).toBe(asked);
    r.index.upsert(row(id('b')));
    runs.noticed('1', r.index.seq, r.index.epoch);
    const until = Date.now() + 2_000;
    while ((await runs.rows('1')).length < 2 && Date.now() < until) await new Promise((res) => setTimeout(res, 5));
    expect((await runs.rows('1')).length).toBe(2);
    runs.stop();
  });
});
