import { z } from 'zod';
import * as doc from '../../../lib/doc/index';
import { invalid, notFound, type LoggedModel } from '../../../lib/domain/index';
import { decodeRegistryPageToken, encodeRegistryPageToken } from '../../../lib/registry/index';
import { STRING_ATTR, conjunctionFilter } from '../../../lib/search/index';
import { loggedModelJson } from './entities';
import { route, type Call, type Route } from './route';
import { int64, keyValues, repeated, tagsRecord } from './wire';

/**
 * MLflow 3's logged models through the door (REST-26..27): `logged-models` create / get / finalize (PATCH) / set tags
 * (PATCH …/tags) / search and `runs/outputs`, kept in the source run's run doc (lib/doc DOC-LM1).
 */

const str = z.string();
const ID = { re: /^logged-models\/([^/]+)$/, params: ['model_id'] } as const;
const TAGS = { re: /^logged-models\/([^/]+)\/tags$/, params: ['model_id'] } as const;

function requireModel(call: Call, modelId: string): LoggedModel {
  const m = call.models.find(call.ws, modelId);
  if (!m) throw notFound(`Logged model with ID '${modelId}' not found.`);
  return m;
}

/** Re-read after a write (the run view was dropped at the commit). */
const reread = (call: Call, modelId: string) => ({ model: loggedModelJson(requireModel(call, modelId)) });

const SEARCH_ATTRS = { name: STRING_ATTR, status: STRING_ATTR, model_type: STRING_ATTR, source_run_id: STRING_ATTR };
const ORDER: Record<string, (m: LoggedModel) => string | number> = {
  name: (m) => m.name,
  creation_timestamp: (m) => m.creationTime,
  creation_time: (m) => m.creationTime,
  last_updated_timestamp: (m) => m.lastUpdatedTime,
  model_id: (m) => m.modelId,
};

export const loggedModelRoutes: Route[] = [
  route({
    methods: ['POST'],
    path: 'logged-models',
    role: 'write',
    schema: z.object({
      experiment_id: str,
      name: str.optional(),
      source_run_id: str.optional(),
      model_type: str.optional(),
      params: keyValues.optional(),
      tags: keyValues.optional(),
    }),
    handle: (call, i) => {
      // REST-26: a logged model is kept in its source run's doc (it grows with runs), so it needs one.
      if (!i.source_run_id) throw invalid('Cairn keeps a logged model in its source run: source_run_id is required');
      const run = call.docs.requireRun(call.ws, i.source_run_id);
      if (run.info.experimentId !== i.experiment_id) throw invalid(`Run ${i.source_run_id} is not in experiment ${i.experiment_id}`);
      const modelId = call.docs.writeRun(call.ws, call.actor, i.source_run_id, (c) =>
        doc.createLoggedModel(c, {
          runId: i.source_run_id!,
          experimentId: i.experiment_id,
          name: i.name || `model-${Math.random().toString(16).slice(2, 8)}`,
          ...(i.model_type ? { modelType: i.model_type } : {}),
          params: tagsRecord(i.params),
          tags: tagsRecord(i.tags),
        }),
      );
      return reread(call, modelId);
    },
  }),
  route({
    methods: ['GET', 'PATCH'],
    path: 'logged-models/<model_id>',
    pattern: ID,
    role: { GET: 'read', PATCH: 'write' },
    schema: z.object({ model_id: str, status: str.optional() }),
    handle: (call, i) => {
      const m = requireModel(call, i.model_id);
      if (call.method === 'GET') return { model: loggedModelJson(m) };
      if (!i.status) throw invalid("Missing value for required parameter 'status'. See the API docs for more information about request parameters.");
      call.docs.writeRun(call.ws, call.actor, m.sourceRunId, (c) => doc.setLoggedModelStatus(c, { runId: m.sourceRunId, modelId: m.modelId, status: i.status! }));
      return reread(call, m.modelId);
    },
  }),
  route({
    methods: ['PATCH'],
    path: 'logged-models/<model_id>/tags',
    pattern: TAGS,
    role: 'write',
    schema: z.object({ model_id: str, tags: keyValues }),
    handle: (call, i) => {
      const m = requireModel(call, i.model_id);
      call.docs.writeRun(call.ws, call.actor, m.sourceRunId, (c) => doc.setLoggedModelTags(c, { runId: m.sourceRunId, modelId: m.modelId, tags: tagsRecord(i.tags) }));
      return {};
    },
  }),
  route({
    methods: ['POST'],
    path: 'logged-models/search',
    role: 'read',
    schema: z.object({
      experiment_ids: repeated(str).optional(),
      filter: str.optional(),
      order_by: z.array(z.object({ field_name: str, ascending: z.boolean().optional() })).optional(),
      max_results: int64.optional(),
      page_token: str.optional(),
    }),
    handle: (call, i) => {
      const max = i.max_results ?? 100;
      if (!Number.isSafeInteger(max) || max < 1) throw invalid(`Invalid value for max_results. It must be a positive integer, but got ${max}`);
      const match = conjunctionFilter<LoggedModel>(i.filter ?? '', SEARCH_ATTRS, {
        get: (m, k) => (k === 'name' ? m.name : k === 'status' ? m.status : k === 'model_type' ? m.modelType : k === 'source_run_id' ? m.sourceRunId : undefined),
        missingTagMatchesNotEqual: false,
      });
      const order = (i.order_by ?? []).map((o) => {
        const get = ORDER[o.field_name];
        if (!get) throw invalid(`Invalid order by field name '${o.field_name}'. Valid fields are ${Object.keys(ORDER).join(', ')}`);
        return { get, asc: o.ascending !== false };
      });
      // MLflow's default: newest first, then by id.
      order.push({ get: ORDER.creation_timestamp!, asc: false }, { get: ORDER.model_id!, asc: true });
      const hits = call.models
        .inExperiments(call.ws, i.experiment_ids ?? [])
        .filter(match)
        .sort((a, b) => {
          for (const o of order) {
            const x = o.get(a);
            const y = o.get(b);
            if (x !== y) return (x < y ? -1 : 1) * (o.asc ? 1 : -1);
          }
          return 0;
        });
      const offset = decodeRegistryPageToken(i.page_token || undefined);
      const page = hits.slice(offset, offset + max);
      const out: Record<string, unknown> = {};
      if (page.length) out.models = page.map(loggedModelJson);
      if (offset + max < hits.length) out.next_page_token = encodeRegistryPageToken(offset + max);
      return out;
    },
  }),
  route({
    methods: ['POST'],
    path: 'runs/outputs',
    role: 'write',
    schema: z.object({ run_id: str, models: z.array(z.object({ model_id: str, step: int64.optional() })) }),
    handle: (call, i) => {
      for (const m of i.models) requireModel(call, m.model_id);
      call.docs.writeRun(call.ws, call.actor, i.run_id, (c) => doc.logModelOutputs(c, { runId: i.run_id, models: i.models.map((m) => ({ modelId: m.model_id, step: m.step ?? 0 })) }));
      return {};
    },
  }),
];
