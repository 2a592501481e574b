import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import * as doc from '../../lib/doc';
import { CairnError } from '../../lib/domain';

const RUN = '0123456789abcdef0123456789abcdef';

function ctx() {
  const ws = new Y.Doc();
  const runDoc = new Y.Doc();
  let t = 5000;
  const c = { ws, actor: 't', now: () => t++, runDoc: () => runDoc };
  const exp = doc.createExperiment(c, { name: 'e' });
  doc.startRun(c, { runId: RUN, experimentId: exp });
  return { c, runDoc, exp };
}

describe('logged models in the run doc (DOC-LM)', () => {
  it('[DOC-LM1] create (pending), status, tags, params: kept in the source run doc and read with the run', () => {
    const { c, runDoc, exp } = ctx();
    const id = doc.createLoggedModel(c, { runId: RUN, experimentId: exp, name: 'clf', params: { C: '1.0' }, tags: { a: '1' } });
    let m = doc.readRun(RUN, runDoc)!.loggedModels![0]!;
    expect(m).toMatchObject({ modelId: id, name: 'clf', status: 'LOGGED_MODEL_PENDING', sourceRunId: RUN, experimentId: exp, modelType: '', params: { C: '1.0' }, tags: { a: '1' } });
    doc.setLoggedModelStatus(c, { runId: RUN, modelId: id, status: 'LOGGED_MODEL_READY' });
    doc.setLoggedModelTags(c, { runId: RUN, modelId: id, tags: { b: '2' } });
    m = doc.readRun(RUN, runDoc)!.loggedModels![0]!;
    expect(m.status).toBe('LOGGED_MODEL_READY');
    expect(m.tags).toEqual({ a: '1', b: '2' });
    expect(m.lastUpdatedTime).toBeGreaterThan(m.creationTime);
    expect(() => doc.setLoggedModelStatus(c, { runId: RUN, modelId: id, status: 'DONE' })).toThrow(CairnError);
    expect(() => doc.setLoggedModelTags(c, { runId: RUN, modelId: 'm-' + '0'.repeat(32), tags: {} })).toThrow(/not found/);
    // The workspace doc holds nothing of it.
    expect(doc.readLoggedModels(RUN, c.ws)).toEqual([]);
  });

  it('[DOC-LM2] ids are m- + 32 hex whose first 16 are the run id’s', () => {
    const { c, exp } = ctx();
    const a = doc.createLoggedModel(c, { runId: RUN, experimentId: exp, name: 'a' });
    const b = doc.createLoggedModel(c, { runId: RUN, experimentId: exp, name: 'b' });
    expect(a).toMatch(/^m-[0-9a-f]{32}$/);
    expect(a).not.toBe(b);
    expect(doc.loggedModelRunPrefix(a)).toBe(RUN.slice(0, 16));
    expect(doc.loggedModelRunPrefix('m-xyz')).toBeNull();
  });

  it('[DOC-LM3] model outputs: one entry per model with its step, read with the run; a run without any has none', () => {
    const { c, runDoc, exp } = ctx();
    expect(doc.readRun(RUN, runDoc)!.modelOutputs).toBeUndefined();
    const id = doc.createLoggedModel(c, { runId: RUN, experimentId: exp, name: 'a' });
    doc.logModelOutputs(c, { runId: RUN, models: [{ modelId: id, step: 0 }] });
    doc.logModelOutputs(c, { runId: RUN, models: [{ modelId: id, step: 3 }] });
    expect(doc.readRun(RUN, runDoc)!.modelOutputs).toEqual([{ modelId: id, step: 3 }]);
    expect(() => doc.logModelOutputs(c, { runId: RUN, models: [{ modelId: 'nope', step: 0 }] })).toThrow(CairnError);
  });

  it('[DOC-LM4] metrics logged with a model id: latest point per key (step, then timestamp), with the logging run', () => {
    const { c, runDoc, exp } = ctx();
    const id = doc.createLoggedModel(c, { runId: RUN, experimentId: exp, name: 'a' });
    const other = 'f'.repeat(32);
    doc.logLoggedModelMetrics(c, { runId: RUN, modelId: id, metrics: [{ key: 'acc', value: 0.5, timestamp: 10, step: 1, runId: RUN }] });
    doc.logLoggedModelMetrics(c, { runId: RUN, modelId: id, metrics: [{ key: 'acc', value: 0.1, timestamp: 99, step: 0, runId: RUN }] });
    doc.logLoggedModelMetrics(c, { runId: RUN, modelId: id, metrics: [{ key: 'acc', value: 0.9, timestamp: 11, step: 1, runId: other }, { key: 'loss', value: 2, timestamp: 1, step: 0, runId: RUN }] });
    expect(doc.readRun(RUN, runDoc)!.loggedModels![0]!.metrics).toEqual([
      { key: 'acc', value: 0.9, timestamp: 11, step: 1, runId: other },
      { key: 'loss', value: 2, timestamp: 1, step: 0, runId: RUN },
    ]);
  });
});
