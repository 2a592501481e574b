import { z } from 'zod';
import { CairnError, RUN_STATUSES, type DatasetInput, type ErrorCode, ERROR_CODES } from '../../lib/domain/index';
import { statusFromCode } from './layout';
import type { SkipSink, Source, SourceRegisteredModel, SourceArtifact, SourceExperiment, SourcePoint, SourceRun } from './source';

/** Page sizes asked for: MLflow's largest search page, and the get-history page its own client asks for. */
const SEARCH_PAGE = 1000;
const HISTORY_PAGE = 25_000;
const REGISTRY_PAGE = 1000;
/** A server that keeps answering next-page tokens is stopped after this many pages of one listing. */
const MAX_PAGES = 100_000;

/** int64 as MLflow's proto-JSON writes it: a number, or a decimal string. */
const Int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);
/** A double: a number, or "NaN" / "Infinity" / "-Infinity" (proto-JSON's names for the non-finite values). */
const Double = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity']).transform((s) => (s === 'NaN' ? NaN : s === 'Infinity' ? Infinity : -Infinity))]);
const KV = z.array(z.object({ key: z.string(), value: z.string().default('') })).default([]);
const Stage = z.enum(['active', 'deleted']).default('active');
const Page = { next_page_token: z.string().optional() };

const ExperimentsPage = z.object({
  experiments: z.array(z.object({ experiment_id: z.string(), name: z.string(), lifecycle_stage: Stage, tags: KV })).default([]),
  ...Page,
});
const RunJson = z.object({
  info: z.object({
    run_id: z.string().optional(),
    run_uuid: z.string().optional(),
    run_name: z.string().optional(),
    experiment_id: z.string(),
    user_id: z.string().optional(),
    status: z.union([z.enum(RUN_STATUSES), z.number().int()]).default('RUNNING'),
    start_time: Int64.optional(),
    end_time: Int64.optional(),
    lifecycle_stage: Stage,
  }),
  data: z.object({ metrics: z.array(z.object({ key: z.string() })).default([]), params: KV, tags: KV }).default({ metrics: [], params: [], tags: [] }),
  inputs: z
    .object({
      dataset_inputs: z
        .array(
          z.object({
            tags: KV,
            dataset: z.object({ name: z.string(), digest: z.string(), source_type: z.string(), source: z.string().default(''), schema: z.string().optional(), profile: z.string().optional() }),
          }),
        )
        .default([]),
    })
    .default({ dataset_inputs: [] }),
});
const RunsPage = z.object({ runs: z.array(RunJson).default([]), ...Page });
const HistoryPage = z.object({ metrics: z.array(z.object({ value: Double.default(0), timestamp: Int64.default(0), step: Int64.default(0) })).default([]), ...Page });
const ArtifactsPage = z.object({ files: z.array(z.object({ path: z.string(), is_dir: z.boolean().default(false), file_size: Int64.optional() })).default([]), ...Page });
const ModelJson = z.object({
  name: z.string(),
  description: z.string().optional(),
  creation_timestamp: Int64.optional(),
  last_updated_timestamp: Int64.optional(),
  tags: KV,
  aliases: z.array(z.object({ alias: z.string(), version: z.string() })).default([]),
});
const VersionJson = z.object({
  version: z.string(),
  source: z.string().default(''),
  run_id: z.string().optional(),
  run_link: z.string().optional(),
  description: z.string().optional(),
  current_stage: z.string().optional(),
  user_id: z.string().optional(),
  creation_timestamp: Int64.optional(),
  last_updated_timestamp: Int64.optional(),
  tags: KV,
});
const ModelsPage = z.object({ registered_models: z.array(ModelJson).default([]), ...Page });
const VersionsPage = z.object({ model_versions: z.array(VersionJson).default([]), ...Page });

const kv = (list: { key: string; value: string }[]) => Object.fromEntries(list.map((t) => [t.key, t.value]));

/**
 * A running MLflow tracking server as an import source, through the REST API its own client uses: experiments/search
 * (view ALL, paged), runs/search per experiment (view ALL, paged), metrics/get-history paged by `page_token` (so a
 * history of any length comes whole), artifacts/list (walked folder by folder) and /get-artifact for the bytes, and
 * the registry's searches (models, then each model's versions). `base` is the tracking URI (`http://host:5000`, or a Cairn
 * relay's `http://host/w/<workspace>`).
 */
export class RestSource implements Source {
  private readonly base: string;
  private readonly searchPage: number;
  private readonly historyPage: number;

  /** `pages` sets smaller pages than MLflow's largest (a server with a lower cap; tests of the paging). */
  constructor(readonly label: string, private readonly token?: string, pages: { search?: number; history?: number } = {}) {
    this.base = label.replace(/\/+$/, '');
    this.searchPage = pages.search ?? SEARCH_PAGE;
    this.historyPage = pages.history ?? HISTORY_PAGE;
  }

  async experiments(): Promise<SourceExperiment[]> {
    const out: SourceExperiment[] = [];
    await this.pages(ExperimentsPage, (page_token) => this.call('POST', '/api/2.0/mlflow/experiments/search', { body: { max_results: this.searchPage, view_type: 'ALL', ...(page_token ? { page_token } : {}) } }), (p) => {
      for (const e of p.experiments) out.push({ id: e.experiment_id, name: e.name, lifecycle: e.lifecycle_stage, tags: kv(e.tags) });
    });
    return out;
  }

  async runs(experiment: SourceExperiment, skip: SkipSink): Promise<SourceRun[]> {
    const out: SourceRun[] = [];
    const body = (page_token: string | undefined) => ({ experiment_ids: [experiment.id], run_view_type: 'ALL', max_results: this.searchPage, ...(page_token ? { page_token } : {}) });
    await this.pages(RunsPage, (t) => this.call('POST', '/api/2.0/mlflow/runs/search', { body: body(t) }), (p) => {
      for (const r of p.runs) {
        const i = r.info;
        const runId = i.run_id ?? i.run_uuid ?? '';
        const status = typeof i.status === 'number' ? statusFromCode(i.status) : i.status;
        if (!status) {
          skip({ kind: 'run', item: runId, reason: 'unreadable', detail: `unknown status ${i.status}` });
          continue;
        }
        const inputs: DatasetInput[] = r.inputs.dataset_inputs.map((d) => ({
          dataset: { name: d.dataset.name, digest: d.dataset.digest, sourceType: d.dataset.source_type, source: d.dataset.source, ...(d.dataset.schema !== undefined ? { schema: d.dataset.schema } : {}), ...(d.dataset.profile !== undefined ? { profile: d.dataset.profile } : {}) },
          tags: kv(d.tags),
        }));
        out.push({
          runId,
          experimentId: i.experiment_id,
          runName: i.run_name || undefined,
          userId: i.user_id,
          status,
          startTime: i.start_time,
          endTime: i.end_time,
          lifecycle: i.lifecycle_stage,
          params: kv(r.data.params),
          tags: kv(r.data.tags),
          inputs,
          metricKeys: [...new Set(r.data.metrics.map((m) => m.key))],
        });
      }
    });
    return out;
  }

  async history(run: SourceRun, key: string): Promise<SourcePoint[]> {
    const out: SourcePoint[] = [];
    const query = (page_token: string | undefined) => ({ run_id: run.runId, metric_key: key, max_results: String(this.historyPage), ...(page_token ? { page_token } : {}) });
    await this.pages(HistoryPage, (t) => this.call('GET', '/api/2.0/mlflow/metrics/get-history', { query: query(t) }), (p) => {
      for (const m of p.metrics) out.push({ step: m.step, timestamp: m.timestamp, value: m.value });
    });
    return out;
  }

  async artifacts(run: SourceRun): Promise<SourceArtifact[]> {
    const out: SourceArtifact[] = [];
    const dirs = [''];
    for (let dir = dirs.shift(); dir !== undefined; dir = dirs.shift()) {
      const query = (page_token: string | undefined) => ({ run_id: run.runId, ...(dir ? { path: dir } : {}), ...(page_token ? { page_token } : {}) });
      await this.pages(ArtifactsPage, (t) => this.call('GET', '/api/2.0/mlflow/artifacts/list', { query: query(t) }), (p) => {
        for (const f of p.files) {
          if (f.is_dir) dirs.push(f.path);
          else out.push({ path: f.path, size: f.file_size ?? 0, read: () => this.download(run.runId, f.path) });
        }
      });
    }
    return out;
  }

  /** MIO-12: registered-models/search (paged), then each model's versions (model-versions/search by name, paged). */
  async registry(skip: SkipSink): Promise<SourceRegisteredModel[]> {
    const out: SourceRegisteredModel[] = [];
    try {
      await this.pages(ModelsPage, (t) => this.call('GET', '/api/2.0/mlflow/registered-models/search', { query: { max_results: String(REGISTRY_PAGE), ...(t ? { page_token: t } : {}) } }), (p) => {
        for (const m of p.registered_models) {
          out.push({
            name: m.name,
            description: m.description,
            creationTime: m.creation_timestamp,
            lastUpdatedTime: m.last_updated_timestamp,
            tags: kv(m.tags),
            aliases: Object.fromEntries(m.aliases.filter((a) => /^\d+$/.test(a.version)).map((a) => [a.alias, Number(a.version)])),
            versions: [],
          });
        }
      });
      for (const m of out) {
        const filter = `name = '${m.name.replaceAll("'", "''")}'`;
        await this.pages(VersionsPage, (t) => this.call('GET', '/api/2.0/mlflow/model-versions/search', { query: { filter, max_results: String(REGISTRY_PAGE), ...(t ? { page_token: t } : {}) } }), (p) => {
          for (const v of p.model_versions) {
            if (!/^\d+$/.test(v.version)) continue;
            m.versions.push({
              number: Number(v.version),
              source: v.source,
              runId: v.run_id || undefined,
              runLink: v.run_link || undefined,
              description: v.description,
              stage: v.current_stage,
              userId: v.user_id,
              creationTime: v.creation_timestamp,
              lastUpdatedTime: v.last_updated_timestamp,
              tags: kv(v.tags),
            });
          }
        });
      }
    } catch (e) {
      skip({ kind: 'model registry', item: this.label, reason: 'unreadable', detail: `could not list it: ${e instanceof Error ? e.message : String(e)}` });
      return [];
    }
    return out;
  }

  private async download(runId: string, path: string): Promise<Uint8Array> {
    const res = await this.fetch('GET', '/get-artifact', { query: { run_id: runId, path } });
    return new Uint8Array(await res.arrayBuffer());
  }

  /** Every page of a listing: `fetchPage(token)` until the server stops giving a next token. */
  private async pages<S extends z.ZodType>(schema: S, fetchPage: (token: string | undefined) => Promise<unknown>, each: (page: z.output<S>) => void): Promise<void> {
    let token: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const raw = await fetchPage(token);
      const page = schema.safeParse(raw);
      if (!page.success) throw new CairnError('INVALID_PARAMETER_VALUE', `${this.label} answered something that is not MLflow's: ${page.error.issues[0]?.message ?? ''}`);
      each(page.data);
      token = (page.data as { next_page_token?: string }).next_page_token || undefined;
      if (!token) return;
    }
  }

  private async call(method: string, path: string, o: { query?: Record<string, string>; body?: unknown }): Promise<unknown> {
    const res = await this.fetch(method, path, o);
    const text = await res.text();
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      throw new CairnError('INVALID_PARAMETER_VALUE', `${method} ${path} on ${this.label} did not answer JSON`);
    }
  }

  /** One request; an answer that is not 2xx becomes a CairnError with the server's own code and message. */
  private async fetch(method: string, path: string, o: { query?: Record<string, string>; body?: unknown }): Promise<Response> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.append(k, v);
    const headers: Record<string, string> = { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}) };
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}) });
    } catch (e) {
      throw new CairnError('TEMPORARILY_UNAVAILABLE', `cannot reach the MLflow server at ${this.label}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let code: ErrorCode = res.status === 401 ? 'UNAUTHENTICATED' : res.status === 403 ? 'PERMISSION_DENIED' : res.status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_PARAMETER_VALUE';
    let message = text.slice(0, 200);
    try {
      const env = JSON.parse(text) as { error_code?: string; message?: string };
      if (env.error_code && (ERROR_CODES as readonly string[]).includes(env.error_code) && res.status < 500) code = env.error_code as ErrorCode;
      if (env.message) message = env.message;
    } catch {
      // not MLflow's envelope: keep the text
    }
    throw new CairnError(code, `${method} ${path} on ${this.label}: ${res.status} ${message}`);
  }
}
