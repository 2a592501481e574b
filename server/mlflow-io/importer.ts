import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as doc from '../../lib/doc/index';
import {
  ArtifactPathSchema,
  CairnError,
  DatasetInputSchema,
  ExperimentIdSchema,
  ExperimentNameSchema,
  ExperimentTagValueSchema,
  KeySchema,
  ParamSchema,
  RunIdSchema,
  TagSchema,
  type Run,
} from '../../lib/domain/index';
import { ActiveRun, type CairnClient, type HeldRun } from '../../lib/sdk/index';
import type { Progress } from './progress';
import * as reg from '../../lib/registry/index';
import type { SkipSink, Source, SourceArtifact, SourceExperiment, SourceRegisteredModel, SourceRun } from './source';
import { emptyImportSummary, type ImportSummary } from './summary';

/** Runs imported at once: each holds two docs (two sockets) while it is written; a few overlap the relay's acks. */
export const IMPORT_CONCURRENCY = 4;
/** Points per `logPoints` call (one journal record each): large enough to be cheap, small enough to stay bounded. */
const POINT_BATCH = 20_000;
/** Params and tags per lib/doc batch (MLflow's per-request limit, which lib/doc keeps). */
const BATCH = 100;

export interface ImportOptions {
  concurrency?: number;
  onProgress?: (p: Progress) => void;
}

/** The target experiment a source experiment maps to. */
interface Target {
  id: string;
  /** The target copy is deleted (then only a source experiment that is deleted too may restore it for a while). */
  deleted: boolean;
  restored: boolean;
  sourceDeleted: boolean;
}

/** Failures that stop the whole import (the relay is gone or refuses us): a rerun finishes it. Others skip a run. */
const FATAL = new Set(['TEMPORARILY_UNAVAILABLE', 'UNAUTHENTICATED', 'PERMISSION_DENIED', 'DEADLINE_EXCEEDED', 'INVALID_STATE', 'DATA_LOSS', 'INTERNAL_ERROR']);

/**
 * Copies an MLflow store into the workspace `client` is connected to (MIO-1..MIO-9): experiments matched by name, runs
 * by id, and only what the target lacks written, so a second import — or one after an import was killed midway — ends
 * in the same state as one uninterrupted import. Resolves once the relay has persisted everything.
 */
export async function importMlflow(client: CairnClient, source: Source, opts: ImportOptions = {}): Promise<ImportSummary> {
  const s = emptyImportSummary();
  const skip: SkipSink = (x) => s.skipped.push(x);
  const plan: { exp: SourceExperiment; runs: SourceRun[] }[] = [];
  for (const exp of await source.experiments(skip)) plan.push({ exp, runs: await source.runs(exp, skip) });
  const progress: Progress = { runsDone: 0, runsTotal: plan.reduce((n, p) => n + p.runs.length, 0), points: 0, bytes: 0 };
  const report = () => opts.onProgress?.({ ...progress });
  report();

  for (const { exp, runs } of plan) {
    const target = mapExperiment(client, exp, s, skip);
    if (!target) {
      for (const r of runs) skip({ kind: 'run', item: r.runId, reason: 'conflict', detail: `its experiment '${exp.name}' was not imported` });
      progress.runsDone += runs.length;
      report();
      continue;
    }
    const queue = runs.slice();
    const worker = async () => {
      for (let run = queue.shift(); run; run = queue.shift()) {
        await importRun(client, source, target, run, s, skip, progress, report);
        progress.runsDone++;
        report();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? IMPORT_CONCURRENCY, runs.length)) }, worker));
    // MIO-6: a deleted experiment is deleted last, once everything in it is persisted, so a rerun finding it deleted
    // knows its runs are complete.
    if (target.sourceDeleted && (!target.deleted || target.restored)) {
      await client.flush();
      try {
        doc.deleteExperiment(client.ctx, target.id);
      } catch (e) {
        // The Default experiment cannot be deleted (in MLflow either).
        if (!(e instanceof CairnError) || FATAL.has(e.code)) throw e;
        skip({ kind: 'experiment', item: exp.id, reason: 'conflict', detail: `not deleted in the target: ${e.message}` });
      }
    }
  }
  importRegistry(client, await source.registry(skip), s, skip);
  await client.flush();
  return s;
}

/**
 * MIO-12: each registered model the target lacks (by name) is written whole — description, tags, versions with their
 * source numbers, stages, aliases — by lib/registry's import-only command (REG-I1), in one transaction: a killed
 * import leaves a model complete or absent, and the relay's numbering continues above the imported numbers. A model the
 * target has already is left as it is: its versions are present by number, or skipped (the relay numbers new versions
 * of a live model, so an import cannot give them the source's numbers).
 */
function importRegistry(client: CairnClient, models: SourceRegisteredModel[], s: ImportSummary, skip: SkipSink): void {
  for (const m of models) {
    const have = reg.readRegistry(client.ws).modelByName(m.name);
    if (have) {
      s.registry.models.present++;
      for (const v of m.versions) {
        if (reg.readRegistry(client.ws).version(have.modelId, v.number)) s.registry.versions.present++;
        else skip({ kind: 'model version', item: `${m.name}/${v.number}`, reason: 'conflict', detail: 'the target has this model already and numbers its new versions itself' });
      }
      continue;
    }
    const versions = [];
    for (const v of m.versions) {
      const stage = reg.StageSchema.safeParse(v.stage ?? 'None');
      const input = {
        number: v.number,
        source: v.source,
        ...(v.runId ? { runId: v.runId } : {}),
        ...(v.runLink ? { runLink: v.runLink } : {}),
        ...(v.description ? { description: v.description } : {}),
        ...(stage.success ? { stage: stage.data } : {}),
        ...(v.userId ? { userId: v.userId } : {}),
        ...(v.creationTime !== undefined ? { creationTime: v.creationTime } : {}),
        ...(v.lastUpdatedTime !== undefined ? { lastUpdatedTime: v.lastUpdatedTime } : {}),
        tags: v.tags,
      };
      const ok = reg.checkImportedVersion(input);
      if (ok !== true) skip({ kind: 'model version', item: `${m.name}/${v.number}`, reason: 'invalid', detail: ok });
      else versions.push(input);
    }
    const numbers = new Set(versions.map((v) => v.number));
    const aliases = Object.fromEntries(Object.entries(m.aliases).filter(([, n]) => numbers.has(n)));
    try {
      reg.importRegisteredModel(client.ctx, {
        name: m.name,
        ...(m.description ? { description: m.description } : {}),
        tags: m.tags,
        ...(m.creationTime !== undefined ? { creationTime: m.creationTime } : {}),
        ...(m.lastUpdatedTime !== undefined ? { lastUpdatedTime: m.lastUpdatedTime } : {}),
        versions,
        aliases,
      });
      s.registry.models.written++;
      s.registry.versions.written += versions.length;
    } catch (e) {
      if (!(e instanceof CairnError) || FATAL.has(e.code)) throw e;
      skip({ kind: 'registered model', item: m.name, reason: 'invalid', detail: e.message });
    }
  }
}

/** MIO-3: by name in the target (active or deleted), else created, keeping the source id when it is valid and free. */
function mapExperiment(client: CairnClient, exp: SourceExperiment, s: ImportSummary, skip: SkipSink): Target | null {
  const name = ExperimentNameSchema.safeParse(exp.name);
  if (!name.success) {
    skip({ kind: 'experiment', item: exp.id, reason: 'invalid', detail: `name ${JSON.stringify(exp.name)}: ${name.error.issues[0]?.message}` });
    return null;
  }
  const found = doc.getExperimentByName(client.ws, name.data);
  let id: string;
  if (found) {
    id = found.experimentId;
    s.experiments.reused++;
  } else {
    const keep = ExperimentIdSchema.safeParse(exp.id).success && !doc.getExperiment(client.ws, exp.id);
    id = doc.createExperiment(client.ctx, { name: name.data, ...(keep ? { experimentId: exp.id } : {}) });
    s.experiments.created++;
  }
  const deleted = found?.lifecycleStage === 'deleted';
  const have = found?.tags ?? {};
  for (const [key, value] of Object.entries(exp.tags)) {
    const item = `${exp.id}/${key}`;
    if (!KeySchema.safeParse(key).success || !ExperimentTagValueSchema.safeParse(value).success) {
      skip({ kind: 'experiment tag', item, reason: 'invalid', detail: 'key or value outside MLflow’s limits' });
    } else if (have[key] === value) s.tags.present++;
    else if (deleted) skip({ kind: 'experiment tag', item, reason: 'conflict', detail: 'the experiment is deleted in the target' });
    else {
      doc.setExperimentTag(client.ctx, { experimentId: id, key, value });
      s.tags.written++;
    }
  }
  return { id, deleted, restored: false, sourceDeleted: exp.lifecycle === 'deleted' };
}

/** The source itself is gone or refuses us: stop (a rerun resumes) rather than skip item after item. */
const SOURCE_GONE = new Set(['TEMPORARILY_UNAVAILABLE', 'UNAUTHENTICATED', 'PERMISSION_DENIED']);

type Tally = { wrote: boolean };

async function importRun(
  client: CairnClient,
  source: Source,
  target: Target,
  run: SourceRun,
  s: ImportSummary,
  skip: SkipSink,
  progress: Progress,
  report: () => void,
): Promise<void> {
  if (!RunIdSchema.safeParse(run.runId).success) {
    skip({ kind: 'run', item: run.runId, reason: 'invalid', detail: 'not a valid run id' });
    return;
  }
  const id = run.runId;
  let held: HeldRun | null = await client.holdRun(id);
  let deleteAfter = false;
  try {
    const ex = held.existing;
    if (ex && ex.info.experimentId !== target.id) {
      skip({ kind: 'run', item: id, reason: 'conflict', detail: `the target has this run in experiment ${ex.info.experimentId}` });
      return;
    }
    if (ex?.info.lifecycleStage === 'deleted') {
      // MIO-6: deleted only after all of it was persisted, so a deleted copy is complete (or a user deleted it).
      if (run.lifecycle === 'deleted') s.runs.unchanged++;
      else skip({ kind: 'run', item: id, reason: 'conflict', detail: 'the run is deleted in the target (restore it to import into it)' });
      return;
    }
    if (!ex && target.deleted && !target.restored) {
      if (!target.sourceDeleted) {
        skip({ kind: 'run', item: id, reason: 'conflict', detail: 'its experiment is deleted in the target (restore it to import into it)' });
        return;
      }
      doc.restoreExperiment(client.ctx, target.id);
      target.restored = true;
    }
    const t: Tally = { wrote: false };
    if (!ex) createRun(client, target.id, run);
    const cur = ex ?? client.withRun(id, () => doc.getRun(client.ctx, id))!;
    writeInfo(client, run, cur, t);
    writeParams(client, run, cur, s, skip, t);
    writeTags(client, run, cur, s, skip, t);
    writeInputs(client, run, cur, s, skip, t);
    await writeMetrics(client, source, run, held, s, skip, t, progress, report);
    await writeArtifacts(client, source, run, cur, s, skip, t, progress);
    if (!ex) s.runs.created++;
    else if (t.wrote) s.runs.updated++;
    else s.runs.unchanged++;
    deleteAfter = run.lifecycle === 'deleted';
  } catch (e) {
    // A file of the source that cannot be read (permissions, a folder where a file should be) skips its run.
    if (isFsError(e)) skip({ kind: 'run', item: id, reason: 'unreadable', detail: e.message });
    else if (!(e instanceof CairnError) || FATAL.has(e.code)) throw e;
    else skip({ kind: 'run', item: id, reason: 'invalid', detail: e.message });
  } finally {
    const h = held;
    held = null;
    await h.release();
  }
  // MIO-6: the deletion goes last, after the run's data was persisted (release), never before.
  if (deleteAfter) await client.deleteRun(id);
}

/** MIO-4: the source's run id, name, user and start time; status and end time follow in writeInfo. */
function createRun(client: CairnClient, experimentId: string, run: SourceRun): void {
  const runName = run.runName ?? run.tags['mlflow.runName'];
  const user = run.tags['mlflow.user'];
  client.withRun(run.runId, () =>
    doc.startRun(client.ctx, {
      runId: run.runId,
      experimentId,
      ...(runName ? { runName } : {}),
      ...(run.startTime !== undefined ? { startTime: run.startTime } : {}),
      ...(run.userId ? { userId: run.userId } : {}),
      // The source's own mlflow.user wins over user_id (lib/doc copies user_id into that tag when it is missing).
      ...(user !== undefined && TagSchema.safeParse({ key: 'mlflow.user', value: user }).success ? { tags: { 'mlflow.user': user } } : {}),
    }),
  );
}

function writeInfo(client: CairnClient, run: SourceRun, cur: Run, t: Tally): void {
  const endChanged = run.endTime !== undefined && cur.info.endTime !== run.endTime;
  if (cur.info.status === run.status && !endChanged) return;
  client.withRun(run.runId, () => doc.updateRun(client.ctx, { runId: run.runId, status: run.status, ...(run.endTime !== undefined ? { endTime: run.endTime } : {}) }));
  t.wrote = true;
}

/** MIO-5: params are write-once: equal → already present, different → a conflict, never overwritten. */
function writeParams(client: CairnClient, run: SourceRun, cur: Run, s: ImportSummary, skip: SkipSink, t: Tally): void {
  const fresh: Record<string, string> = {};
  for (const [key, value] of Object.entries(run.params)) {
    const item = `${run.runId}/${key}`;
    if (!ParamSchema.safeParse({ key, value }).success) skip({ kind: 'param', item, reason: 'invalid', detail: 'key or value outside MLflow’s limits' });
    else if (!Object.hasOwn(cur.params, key)) fresh[key] = value;
    else if (cur.params[key] === value) s.params.present++;
    else skip({ kind: 'param', item, reason: 'conflict', detail: `the target has '${cur.params[key]}', the source '${value}' (params are write-once)` });
  }
  const keys = Object.keys(fresh);
  if (keys.length === 0) return;
  const handle = new ActiveRun(client, run.runId);
  for (let i = 0; i < keys.length; i += BATCH) handle.logParams(Object.fromEntries(keys.slice(i, i + BATCH).map((k) => [k, fresh[k]!])));
  s.params.written += keys.length;
  t.wrote = true;
}

/** MIO-5: tags are set to the source's value (a tag only the target has stays). */
function writeTags(client: CairnClient, run: SourceRun, cur: Run, s: ImportSummary, skip: SkipSink, t: Tally): void {
  const changed: [string, string][] = [];
  for (const [key, value] of Object.entries(run.tags)) {
    if (!TagSchema.safeParse({ key, value }).success) skip({ kind: 'tag', item: `${run.runId}/${key}`, reason: 'invalid', detail: 'key or value outside MLflow’s limits' });
    else if (cur.tags[key] === value) s.tags.present++;
    else changed.push([key, value]);
  }
  if (changed.length === 0) return;
  const handle = new ActiveRun(client, run.runId);
  for (let i = 0; i < changed.length; i += BATCH) handle.setTags(Object.fromEntries(changed.slice(i, i + BATCH)));
  s.tags.written += changed.length;
  t.wrote = true;
}

function writeInputs(client: CairnClient, run: SourceRun, cur: Run, s: ImportSummary, skip: SkipSink, t: Tally): void {
  const fresh = run.inputs.filter((input) => {
    if (!DatasetInputSchema.safeParse(input).success) {
      skip({ kind: 'input', item: `${run.runId}/${input.dataset.name}`, reason: 'invalid', detail: 'dataset fields outside MLflow’s limits' });
      return false;
    }
    const same = cur.inputs.find((i) => i.dataset.name === input.dataset.name && i.dataset.digest === input.dataset.digest);
    const present = same && sameDataset(same.dataset, input.dataset) && Object.entries(input.tags ?? {}).every(([k, v]) => same.tags[k] === v);
    if (present) s.inputs.present++;
    return !present;
  });
  if (fresh.length === 0) return;
  new ActiveRun(client, run.runId).logInputs(fresh);
  s.inputs.written += fresh.length;
  t.wrote = true;
}

const sameDataset = (a: Run['inputs'][number]['dataset'], b: Run['inputs'][number]['dataset']) =>
  a.sourceType === b.sourceType && a.source === b.source && a.schema === b.schema && a.profile === b.profile;

/** MIO-5: per key, only the source's points past the count the target already holds are appended. */
async function writeMetrics(
  client: CairnClient,
  source: Source,
  run: SourceRun,
  held: HeldRun,
  s: ImportSummary,
  skip: SkipSink,
  t: Tally,
  progress: Progress,
  report: () => void,
): Promise<void> {
  for (const key of run.metricKeys) {
    if (!KeySchema.safeParse(key).success) {
      skip({ kind: 'metric', item: `${run.runId}/${key}`, reason: 'invalid', detail: 'key outside MLflow’s rules' });
      continue;
    }
    const points = await source.history(run, key, skip);
    const have = Math.min(held.pointCount(key), points.length);
    s.points.present += have;
    for (let i = have; i < points.length; i += POINT_BATCH) {
      const part = points.slice(i, i + POINT_BATCH);
      client.logPoints(run.runId, new Array<string>(part.length).fill(key), part.map((p) => p.value), part.map((p) => p.step), part.map((p) => p.timestamp));
      s.points.written += part.length;
      progress.points += part.length;
      t.wrote = true;
      report();
    }
  }
}

/** MIO-5: content-addressed: a path whose reference already has the same sha256 is not uploaded again. */
async function writeArtifacts(client: CairnClient, source: Source, run: SourceRun, cur: Run, s: ImportSummary, skip: SkipSink, t: Tally, progress: Progress): Promise<void> {
  const refs = new Map(cur.artifacts.map((a) => [a.path, a]));
  let handle: ActiveRun | null = null;
  for (const a of await source.artifacts(run, skip)) {
    if (!ArtifactPathSchema.safeParse(a.path).success) {
      skip({ kind: 'artifact', item: `${run.runId}/${a.path}`, reason: 'invalid', detail: 'not a valid artifact path' });
      continue;
    }
    let data: Awaited<ReturnType<SourceArtifact['read']>>;
    try {
      data = await a.read();
    } catch (e) {
      // One unreadable file (MLflow answers 500 for a missing one) is skipped; an unreachable source stops the import.
      if (e instanceof CairnError && SOURCE_GONE.has(e.code)) throw e;
      skip({ kind: 'artifact', item: `${run.runId}/${a.path}`, reason: 'unreadable', detail: e instanceof Error ? e.message : String(e) });
      continue;
    }
    const ref = refs.get(a.path);
    // The reference can reach the relay before its bytes (a killed import's journal may still hold the upload): the
    // blob must be there too, or the file is written again.
    if (ref && ref.size === a.size && ref.sha256 === (await sha256Of(data)) && (await blobOnRelay(client, ref.sha256))) {
      s.artifacts.present++;
      continue;
    }
    handle ??= new ActiveRun(client, run.runId);
    const logged = await handle.logArtifact(a.path, 'file' in data ? data.file : data);
    s.artifacts.written++;
    s.artifacts.bytes += logged.size;
    progress.bytes += logged.size;
    t.wrote = true;
  }
}

async function sha256Of(data: Awaited<ReturnType<SourceArtifact['read']>>): Promise<string> {
  const h = createHash('sha256');
  if (!('file' in data)) return h.update(data).digest('hex');
  for await (const chunk of createReadStream(data.file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const isFsError = (e: unknown): e is NodeJS.ErrnoException =>
  e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((e as NodeJS.ErrnoException).code!);

/** HEAD <relay>/blobs/<sha256>: does the relay hold these bytes? */
async function blobOnRelay(client: CairnClient, sha256: string): Promise<boolean> {
  const relay = client.options.relay;
  if (!relay) return false;
  const headers: Record<string, string> = client.options.token ? { authorization: `Bearer ${client.options.token}` } : {};
  try {
    return (await fetch(`${relay.http}/blobs/${sha256}`, { method: 'HEAD', headers })).ok;
  } catch (e) {
    throw new CairnError('TEMPORARILY_UNAVAILABLE', `cannot reach the relay to check blob ${sha256}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
