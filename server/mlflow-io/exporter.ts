import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { invalid, type Experiment } from '../../lib/domain/index';
import type { HistoryPoint } from '../../lib/doc/index';
import type { CairnClient } from '../../lib/sdk/index';
import { FileStoreWriter } from './file-store-writer';
import type { Progress } from './progress';
import type { Skipped } from './source';

export interface ExportOptions {
  /** Only these experiments (names or ids); all when empty. */
  experiments?: readonly string[];
  onProgress?: (p: Progress) => void;
}

export interface ExportSummary {
  experiments: number;
  runs: number;
  params: number;
  tags: number;
  points: number;
  artifacts: number;
  bytes: number;
  skipped: Skipped[];
}

/**
 * Writes the workspace `client` is connected to as an MLflow file store in `dir` (MIO-10, MIO-11): every experiment
 * (deleted ones under `.trash/`) and run, active and deleted, with params, tags, inputs, full metric histories and
 * artifact bytes (from the relay's blob store, checked against their sha256). `dir` must be new or empty: an export is
 * a fresh store, never merged into one.
 */
export async function exportMlflow(client: CairnClient, dir: string, opts: ExportOptions = {}): Promise<ExportSummary> {
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0))
    throw invalid(`'${dir}' is not an empty folder: cairn export mlflow writes a new file store`);
  const s: ExportSummary = { experiments: 0, runs: 0, params: 0, tags: 0, points: 0, artifacts: 0, bytes: 0, skipped: [] };
  const wanted = opts.experiments?.length ? new Set(opts.experiments) : null;
  const experiments = (await client.listExperiments('ALL')).filter((e) => !wanted || wanted.has(e.name) || wanted.has(e.experimentId));
  if (wanted) {
    for (const w of wanted) if (!experiments.some((e) => e.name === w || e.experimentId === w)) throw invalid(`No experiment named or with id '${w}' in this workspace`);
  }
  const plan: { exp: Experiment; runIds: string[] }[] = [];
  for (const exp of experiments) plan.push({ exp, runIds: (await client.listRuns(exp.experimentId, 'ALL')).map((r) => r.info.runId) });
  const progress: Progress = { runsDone: 0, runsTotal: plan.reduce((n, p) => n + p.runIds.length, 0), points: 0, bytes: 0 };
  opts.onProgress?.({ ...progress });
  const out = new FileStoreWriter(dir);
  for (const { exp, runIds } of plan) {
    out.writeExperiment(exp);
    s.experiments++;
    s.tags += Object.keys(exp.tags).length;
    for (const id of runIds) {
      await exportRun(client, out, exp, id, s, progress);
      progress.runsDone++;
      opts.onProgress?.({ ...progress });
    }
  }
  return s;
}

async function exportRun(client: CairnClient, out: FileStoreWriter, exp: Experiment, runId: string, s: ExportSummary, progress: Progress): Promise<void> {
  const run = await client.getRun(runId);
  if (!run) {
    s.skipped.push({ kind: 'run', item: runId, reason: 'unreadable', detail: 'listed in the experiment index but its run doc is not readable' });
    return;
  }
  const histories = new Map<string, HistoryPoint[]>();
  for (const key of Object.keys(run.metrics)) {
    const h = await client.getMetricHistory(runId, key);
    histories.set(key, h);
    s.points += h.length;
    progress.points += h.length;
  }
  const artifactsDir = out.writeRun(exp, run, histories);
  s.runs++;
  s.params += Object.keys(run.params).length;
  s.tags += Object.keys(run.tags).length;
  for (const c of run.conflicts)
    s.skipped.push({ kind: 'param conflict', item: `${runId}/${c.key}`, reason: 'unsupported', detail: `MLflow has no record of the refused value '${c.rejectedValue}' (kept: '${c.keptValue}')` });
  for (const a of run.artifacts) {
    const ok = await downloadBlob(client, a.sha256, out.artifactFile(artifactsDir, a.path));
    if (!ok.ok) {
      s.skipped.push({ kind: 'artifact', item: `${runId}/${a.path}`, reason: 'unreadable', detail: ok.why });
      continue;
    }
    s.artifacts++;
    s.bytes += a.size;
    progress.bytes += a.size;
  }
}

/** GET <relay>/blobs/<sha256> into `file`, hashed on the way: bytes that are not the ones referenced are refused. */
async function downloadBlob(client: CairnClient, sha256: string, file: string): Promise<{ ok: true } | { ok: false; why: string }> {
  const relay = client.options.relay;
  if (!relay) return { ok: false, why: 'no relay to read artifact bytes from' };
  const headers: Record<string, string> = client.options.token ? { authorization: `Bearer ${client.options.token}` } : {};
  const res = await fetch(`${relay.http}/blobs/${sha256}`, { headers });
  if (!res.ok || !res.body) return { ok: false, why: `the relay answered ${res.status} for blob ${sha256}` };
  const hash = createHash('sha256');
  const body = Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  body.on('data', (c: Buffer) => hash.update(c));
  await pipeline(body, createWriteStream(file));
  const got = hash.digest('hex');
  return got === sha256 ? { ok: true } : { ok: false, why: `blob ${sha256} came back as ${got}` };
}
