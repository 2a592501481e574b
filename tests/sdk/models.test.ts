import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as doc from '@/lib/doc';
import { describeModelDir, mlmodelToDict, parseMLmodel, readInputExample, readServingInputExample, schemaToJson, writeMLmodel } from '@/lib/models';
import { parseModelUri, predictionToJson, type ModelRegistrar } from '@/lib/sdk';
import { Closer, ensureSdkBuilt, expectCairnError, runNode, startTestRelay, waitFor, type TestRelay } from './helpers';

const WS = 'default';
const FIXTURES = join(__dirname, '../fixtures/models');
const fixtureFile = (name: string, file: string) => new Uint8Array(readFileSync(join(FIXTURES, name, file)));
interface Case { name: string; body: unknown; predictions: unknown }
const cases = (name: string): Case[] => JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')).cases;
const fixtureSignature = (name: string) => parseMLmodel(new TextDecoder().decode(fixtureFile(name, 'MLmodel'))).signature!;

describe('logModel / loadModel against a real relay', () => {
  let relay: TestRelay;
  beforeAll(async () => {
    relay = await startTestRelay();
  });
  afterAll(async () => {
    await relay?.dispose();
  });

  it('[SDK-23, SDK-24] logModel writes an MLflow onnx model dir; another client loads runs:/… and predicts the same', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      const run = await a.startRun({ experimentName: 'models' });
      const sig = fixtureSignature('classifier-columns');
      const example = [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }];
      const logged = await run.logModel('model', {
        onnx: join(FIXTURES, 'classifier-columns', 'model.onnx'),
        signature: sig,
        inputExample: example,
        metadata: { source: 'torch' },
        files: { 'extra/notes.txt': new TextEncoder().encode('hello') },
      });
      expect(logged.modelUri).toBe(`runs:/${run.id}/model`);
      expect(logged.artifacts.map((r) => r.path)).toEqual(
        ['MLmodel', 'conda.yaml', 'extra/notes.txt', 'input_example.json', 'model.onnx', 'python_env.yaml', 'requirements.txt', 'serving_input_example.json'].map((p) => `model/${p}`),
      );
      await run.end();

      const b = await t.client({ relay: relay.url, workspace: WS });
      const model = await b.loadModel(logged.modelUri);
      expect(model.backend).toBe('onnxruntime-node');
      // The MLmodel as written: parses with lib/models, round trips byte for byte, MLflow's keys for an onnx model.
      const text = new TextDecoder().decode(model.files.get('MLmodel'));
      const m = parseMLmodel(text);
      expect(writeMLmodel(m)).toBe(text);
      expect(m.run_id).toBe(run.id);
      expect(m.artifact_path).toBe('model');
      expect(m.mlflow_version).toBe('3.6.0');
      expect(m.model_uuid).toMatch(/^[0-9a-f]{32}$/);
      expect(m.utc_time_created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
      expect(m.flavors.onnx).toEqual({ onnx_version: '1.23.1', data: 'model.onnx', providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'], onnx_session_options: null, code: null });
      expect(m.flavors.python_function).toMatchObject({ loader_module: 'mlflow.onnx', data: 'model.onnx', env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' } });
      expect(schemaToJson(m.signature!.inputs!)).toBe(schemaToJson(sig.inputs!));
      expect(m.metadata).toEqual({ source: 'torch' });
      expect(m.model_size_bytes).toBe(['model.onnx', 'input_example.json', 'serving_input_example.json'].reduce((n, f) => n + model.files.get(f)!.length, 0));
      expect(Object.keys(mlmodelToDict(m)).sort()).toEqual(
        ['artifact_path', 'flavors', 'is_signature_from_type_hint', 'metadata', 'mlflow_version', 'model_id', 'model_size_bytes', 'model_uuid', 'prompts', 'run_id', 'saved_input_example_info', 'signature', 'type_hint_from_example', 'utc_time_created'],
      );
      expect(describeModelDir(model.files).map((e) => [e.path, e.role])).toContainEqual(['serving_input_example.json', 'serving-input-example']);
      expect(readInputExample(model.files)).toMatchObject({ type: 'dataframe', columns: Object.keys(example[0]!) });
      expect(readServingInputExample(model.files)).toEqual({ dataframe_split: { columns: Object.keys(example[0]!), data: [Object.values(example[0]!)] } });
      const dec = (f: string) => new TextDecoder().decode(model.files.get(f));
      expect(dec('requirements.txt')).toBe('mlflow==3.6.0\nonnx==1.23.1\nonnxruntime==1.30.0');
      expect(dec('python_env.yaml')).toBe('python: 3.11.2\nbuild_dependencies:\n- pip\n- setuptools\n- wheel\ndependencies:\n- -r requirements.txt\n');
      expect(dec('conda.yaml')).toContain('- pip:\n  - mlflow==3.6.0\n  - onnx==1.23.1\n  - onnxruntime==1.30.0\n');

      // Same predictions as the fixture's reference, through the other client.
      for (const c of cases('classifier-columns')) {
        const got = predictionToJson(await model.predict(c.body)) as { predictions: { label: number; score: number }[] };
        const want = c.predictions as typeof got;
        expect(got.predictions.map((p) => p.label)).toEqual(want.predictions.map((p) => p.label));
        got.predictions.forEach((p, i) => expect(p.score).toBeCloseTo(want.predictions[i]!.score, 5));
      }
      await model.close();

      // The run's mlflow.log-model.history tag, as MLflow's runs/log-model records the model (Model.get_tags_dict).
      const seen = await b.getRun(run.id);
      const history = JSON.parse(seen!.tags[doc.LOG_MODEL_HISTORY_TAG]!) as Record<string, unknown>[];
      expect(history).toHaveLength(1);
      expect(Object.keys(history[0]!).sort()).toEqual(['artifact_path', 'flavors', 'model_uuid', 'run_id', 'utc_time_created']);
      expect(history[0]).toMatchObject({ run_id: run.id, artifact_path: 'model', model_uuid: m.model_uuid, utc_time_created: m.utc_time_created });
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-23] a tensor-signature model with an ndarray example; a second logModel appends to the history', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      const run = await a.startRun({ experimentName: 'models' });
      const onnx = fixtureFile('mlp-tensor', 'model.onnx');
      // MLflow's JSON form of a signature, as a caller would copy it from an MLmodel.
      const sig = { inputs: [{ type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 4] } }] };
      const first = await run.logModel('mlp', { onnx, signature: sig, inputExample: [[1, 2, 3, 4]] });
      await run.logModel('mlp-again/', { onnx });
      const model = await a.loadModel(first.modelUri);
      expect(readServingInputExample(model.files)).toEqual({ inputs: [[1, 2, 3, 4]] });
      for (const c of cases('mlp-tensor')) {
        const got = predictionToJson(await model.predict(c.body)) as { predictions: Record<string, number[][]> };
        const want = (c.predictions as typeof got).predictions;
        for (const k of Object.keys(want)) got.predictions[k]!.flat().forEach((v, i) => expect(v).toBeCloseTo(want[k]!.flat()[i]!, 5));
      }
      await model.close();
      // Without a signature the input is not enforced; the feeds are still checked against the ONNX input.
      const bare = await a.loadModel(`runs:/${run.id}/mlp-again`);
      expect(bare.signature).toBeNull();
      expect((await bare.predict({ inputs: [[1.5, 2, 3, 4]] })).outputs.map((o) => o.dims)).toEqual([[1, 3], [1, 3]]);
      await bare.close();
      const history = JSON.parse((await a.getRun(run.id))!.tags[doc.LOG_MODEL_HISTORY_TAG]!) as { artifact_path: string }[];
      expect(history.map((h) => h.artifact_path)).toEqual(['mlp', 'mlp-again']);
      await run.end();
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-23] refused logModel calls write nothing: bad bytes, bad signature, bad example, bad registered model name', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      const run = await a.startRun({ experimentName: 'models' });
      const onnx = fixtureFile('mlp-tensor', 'model.onnx');
      let e = await expectCairnError(() => run.logModel('m', { onnx: new TextEncoder().encode('not onnx') }), 'INVALID_PARAMETER_VALUE');
      expect(e.message).toMatch(/^onnx is not a model onnxruntime-node can load: /);
      e = await expectCairnError(() => run.logModel('m', { onnx, signature: { inputs: [{ type: 'complex128', name: 'x' }] } }), 'INVALID_PARAMETER_VALUE');
      expect(e.message).toContain('signature.inputs');
      await expectCairnError(() => run.logModel('m', { onnx, inputExample: 5 as never }), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(() => run.logModel('', { onnx }), 'INVALID_PARAMETER_VALUE');
      await expectCairnError(() => run.logModel('m', { onnx, files: { MLmodel: new Uint8Array(1) } }), 'INVALID_PARAMETER_VALUE');
      e = await expectCairnError(() => run.logModel('m', { onnx, registeredModelName: 'bad/name' }), 'INVALID_PARAMETER_VALUE');
      const r = await a.getRun(run.id);
      expect(r!.artifacts).toEqual([]);
      expect(r!.tags[doc.LOG_MODEL_HISTORY_TAG]).toBeUndefined();
      await run.end();
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-23] registeredModelName calls the registrar with the logged model as source, after the files are written', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      const run = await a.startRun({ experimentName: 'models' });
      const calls: unknown[] = [];
      const registerModel: ModelRegistrar = (ctx, req) => {
        calls.push(req);
        expect(ctx).toBe(a.ctx);
        return { name: req.name, version: '1' };
      };
      const logged = await run.logModel('reg', { onnx: fixtureFile('regressor-columns', 'model.onnx'), registeredModelName: 'regressor', registerModel });
      expect(calls).toEqual([{ name: 'regressor', source: `runs:/${run.id}/reg`, runId: run.id }]);
      expect(logged.registeredModelVersion).toEqual({ name: 'regressor', version: '1' });
      await run.end();
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-23] [SDK-24] registeredModelName registers the logged model in the workspace registry; the relay numbers it and models:/ URIs load it on another client', async () => {
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: 'models-reg' });
      const run = await a.startRun({ experimentName: 'models' });
      const logged = await run.logModel('mlp', { onnx: fixtureFile('mlp-tensor', 'model.onnx'), signature: fixtureSignature('mlp-tensor'), registeredModelName: 'mlp-reg' });
      expect(logged.registeredModelVersion).toMatchObject({ name: 'mlp-reg', source: `runs:/${run.id}/mlp`, runId: run.id });
      await run.end();
      await a.registry.setRegisteredModelAlias('mlp-reg', 'champion', { versionId: (logged.registeredModelVersion as { versionId: string }).versionId } as never);
      await a.flush();
      const b = await t.client({ relay: relay.url, workspace: 'models-reg' });
      await waitFor(async () => (await b.registry.getModelVersion('mlp-reg', 1).catch(() => null))?.status === 'READY', 'the relay to number v1');
      const direct = await b.loadModel(`runs:/${run.id}/mlp`);
      for (const uri of ['models:/mlp-reg/1', 'models:/mlp-reg@champion', 'models:/mlp-reg/latest']) {
        const m = await b.loadModel(uri);
        const body = { inputs: [[0.1, 0.2, 0.3, 0.4]] };
        expect(predictionToJson(await m.predict(body))).toEqual(predictionToJson(await direct.predict(body)));
        await m.close();
      }
      await direct.close();
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-24] model URIs: runs:/ parsed, models:/ through the resolver, missing models and non-onnx flavors refused', async () => {
    expect(parseModelUri('runs:/abc/path/to/model/')).toEqual({ scheme: 'runs', runId: 'abc', artifactPath: 'path/to/model' });
    expect(parseModelUri('models:/iris@champion')).toEqual({ scheme: 'models', uri: 'models:/iris@champion' });
    expect(() => parseModelUri('runs:/abc')).toThrow(/Not a proper runs:\/ URI/);
    expect(() => parseModelUri('s3://bucket/model')).toThrow(/Not a proper runs:\/ URI/);
    const t = new Closer();
    try {
      const a = await t.client({ relay: relay.url, workspace: WS });
      const run = await a.startRun({ experimentName: 'models' });
      await run.logModel('reg', { onnx: fixtureFile('regressor-columns', 'model.onnx'), signature: fixtureSignature('regressor-columns') });
      // A non-onnx model dir logged as plain artifacts (MLflow's sklearn sample): refused honestly.
      const sample = join(__dirname, '../unit/fixtures/mlmodel-samples/sklearn-logreg');
      for (const f of readdirSync(sample)) await run.logArtifact(`sk/${f}`, new Uint8Array(readFileSync(join(sample, f))));
      await run.end();
      const b = await t.client({ relay: relay.url, workspace: WS });
      const seenUris: string[] = [];
      const model = await b.loadModel('models:/regressor/1', {
        resolveModelUri: (ws, uri) => {
          expect(ws).toBe(b.ws);
          seenUris.push(uri);
          return { runId: run.id, artifactPath: 'reg' };
        },
      });
      expect(seenUris).toEqual(['models:/regressor/1']);
      expect(predictionToJson(await model.predict([{ x: 0.5, n: 3 }])).predictions).toHaveLength(1);
      await model.close();
      let e = await expectCairnError(() => b.loadModel('models:/regressor/1'), 'RESOURCE_DOES_NOT_EXIST');
      expect(e.message).toBe('Registered Model with name=regressor not found');
      e = await expectCairnError(() => b.loadModel(`runs:/${run.id}/nothing-here`), 'RESOURCE_DOES_NOT_EXIST');
      expect(e.message).toContain("'nothing-here/MLmodel'");
      await expectCairnError(() => b.loadModel('runs:/0123456789abcdef0123456789abcdef/reg'), 'RESOURCE_DOES_NOT_EXIST');
      e = await expectCairnError(() => b.loadModel(`runs:/${run.id}/sk`), 'NOT_IMPLEMENTED');
      expect(e.message).toBe('This model is not runnable here: sklearn needs Python; ONNX is the runnable flavor (log the model as ONNX to predict in Cairn)');
    } finally {
      await t.closeAll();
    }
  });

  it('[SDK-23, SDK-24] the published cairn/sdk in plain Node, offline: logModel then loadModel from the journal, onnxruntime-node external', async () => {
    await ensureSdkBuilt();
    const t = new Closer();
    try {
      const dir = t.dir();
      const script = `import { connect, predictionToJson } from 'cairn/sdk';
        const c = await connect({ relay: null, dataDir: process.env.D });
        const run = await c.startRun({ experimentName: 'pkg-models' });
        const logged = await run.logModel('m', { onnx: process.env.ONNX });
        const model = await c.loadModel(logged.modelUri);
        const p = await model.predict(JSON.parse(process.env.BODY));
        await model.close();
        await c.close();
        console.log(JSON.stringify(predictionToJson(p)));`;
      const [c] = cases('mlp-tensor');
      const child = runNode(['--input-type=module', '-e', script], { D: dir, ONNX: join(FIXTURES, 'mlp-tensor', 'model.onnx'), BODY: JSON.stringify(c!.body) });
      const { code } = await child.exited;
      expect(code, child.stderr()).toBe(0);
      const got = JSON.parse(child.stdout().trim().split('\n').pop()!) as { predictions: Record<string, number[][]> };
      const want = (c!.predictions as typeof got).predictions;
      for (const k of Object.keys(want)) got.predictions[k]!.flat().forEach((v, i) => expect(v).toBeCloseTo(want[k]!.flat()[i]!, 5));
    } finally {
      await t.closeAll();
    }
  });
});
