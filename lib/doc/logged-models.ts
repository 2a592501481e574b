import * as Y from 'yjs';
import { z } from 'zod';
import { KeySchema, notFound, parseInput } from '../domain';
import { LOCAL_ORIGIN, requireRun, type Ctx } from './commands';
import { SEP, runLoggedModelMetrics, runLoggedModelTags, runLoggedModels, runModelOutputs } from './layout';
import { LOGGED_MODEL_STATUSES } from './logged-models-read';

/**
 * MLflow 3's logged models (DOC-LM1..LM3): a logged model lives in its source run's run doc, since it grows with runs
 * (never the workspace doc): flat `loggedModels` `<modelId>\u0001<field>` and `loggedModelTags` `<modelId>\u0001<key>`
 * maps, a model existing once its `name` is written (last in its transaction). Its id is `m-` + 32 hex, the first 16
 * of which are its run's (DOC-LM2), so a reader holding only the id finds the run.
 */

const ModelIdSchema = z.string().regex(/^m-[0-9a-f]{32}$/, 'a logged model id is m- and 32 hex digits');
const now = (c: Ctx) => (c.now ? c.now() : Date.now());
const tx = (d: Y.Doc, f: () => void) => d.transact(f, LOCAL_ORIGIN);

/** DOC-LM2: a new model id for run `runId`: `m-` + the run id's first 16 hex + 16 random hex. */
export function newLoggedModelId(runId: string): string {
  const rand = crypto.getRandomValues(new Uint8Array(8));
  return `m-${runId.slice(0, 16)}${[...rand].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** DOC-LM2: the 16-hex run id prefix a model id carries (its source run's first 16 digits). */
export function loggedModelRunPrefix(modelId: string): string | null {
  return /^m-([0-9a-f]{16})[0-9a-f]{16}$/.test(modelId) ? modelId.slice(2, 18) : null;
}

const CreateInput = z.object({
  runId: z.string(),
  experimentId: z.string().min(1),
  name: z.string().min(1).max(500),
  modelType: z.string().max(500).optional(),
  params: z.record(KeySchema, z.string().max(6000)).optional(),
  tags: z.record(KeySchema, z.string().max(8000)).optional(),
});

/** DOC-LM1: a logged model (status PENDING) in its source run's doc; the run must be active. Returns its id. */
export function createLoggedModel(c: Ctx, input: z.input<typeof CreateInput>): string {
  const i = parseInput(CreateInput, input, 'createLoggedModel');
  const d = requireRun(c, i.runId);
  const modelId = newLoggedModelId(i.runId);
  const t = now(c);
  const p = modelId + SEP;
  tx(d, () => {
    const m = runLoggedModels(d);
    m.set(p + 'experimentId', i.experimentId);
    m.set(p + 'modelType', i.modelType ?? '');
    m.set(p + 'status', 'LOGGED_MODEL_PENDING');
    m.set(p + 'creationTime', t);
    m.set(p + 'lastUpdatedTime', t);
    m.set(p + 'params', JSON.stringify(i.params ?? {}));
    for (const [k, v] of Object.entries(i.tags ?? {})) runLoggedModelTags(d).set(p + k, v);
    m.set(p + 'name', i.name);
  });
  return modelId;
}

function requireModel(c: Ctx, runId: string, modelId: string): Y.Doc {
  const d = requireRun(c, runId, false);
  if (typeof runLoggedModels(d).get(modelId + SEP + 'name') !== 'string') throw notFound(`Logged model with ID '${modelId}' not found.`);
  return d;
}

/** DOC-LM1: the model's status (the client marks it READY once its files are uploaded). */
export function setLoggedModelStatus(c: Ctx, input: { runId: string; modelId: string; status: string }): void {
  const status = parseInput(z.enum(LOGGED_MODEL_STATUSES), input.status, 'status');
  const d = requireModel(c, input.runId, input.modelId);
  tx(d, () => {
    runLoggedModels(d).set(input.modelId + SEP + 'status', status);
    runLoggedModels(d).set(input.modelId + SEP + 'lastUpdatedTime', now(c));
  });
}

/** DOC-LM1: sets tags of the model (MLflow's PATCH logged-models/<id>/tags; lastUpdated is not moved, as MLflow). */
export function setLoggedModelTags(c: Ctx, input: { runId: string; modelId: string; tags: Record<string, string> }): void {
  const tags = parseInput(z.record(KeySchema, z.string().max(8000)), input.tags, 'tags');
  const d = requireModel(c, input.runId, input.modelId);
  tx(d, () => {
    for (const [k, v] of Object.entries(tags)) runLoggedModelTags(d).set(input.modelId + SEP + k, v);
  });
}

/**
 * DOC-LM4: metrics logged with the model's id (log-batch's `model_id`), kept with the model: the latest point per key
 * (max of step, then timestamp, as DOC-M3), with the run that logged it. The run's own metrics doc has every point.
 */
export function logLoggedModelMetrics(c: Ctx, input: { runId: string; modelId: string; metrics: { key: string; value: number; timestamp: number; step: number; runId: string }[] }): void {
  const d = requireModel(c, input.runId, input.modelId);
  if (input.metrics.length === 0) return;
  const map = runLoggedModelMetrics(d);
  tx(d, () => {
    for (const m of input.metrics) {
      const k = input.modelId + SEP + m.key;
      const old = map.get(k) as { step?: number; timestamp?: number } | undefined;
      if (old && typeof old.step === 'number' && (old.step > m.step || (old.step === m.step && (old.timestamp ?? 0) > m.timestamp))) continue;
      map.set(k, { value: m.value, timestamp: m.timestamp, step: m.step, runId: m.runId });
    }
  });
}

/** DOC-LM3: MLflow's runs/outputs: the models the run produced, each with its step (a model logged again keeps one entry). */
export function logModelOutputs(c: Ctx, input: { runId: string; models: { modelId: string; step: number }[] }): void {
  const models = parseInput(z.array(z.object({ modelId: ModelIdSchema, step: z.number().int() })), input.models, 'models');
  const d = requireRun(c, input.runId);
  if (models.length === 0) return;
  tx(d, () => {
    for (const m of models) runModelOutputs(d).set(m.modelId, m.step);
  });
}

/** Refuses a model id not of DOC-LM2's form in MLflow's words. */
export function requireLoggedModelId(raw: string): string {
  if (!loggedModelRunPrefix(raw)) throw notFound(`Logged model with ID '${raw}' not found.`);
  return raw;
}
