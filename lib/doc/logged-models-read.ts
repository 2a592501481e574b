import type * as Y from 'yjs';
import type { LoggedModel } from '../domain';
import { SEP, mapEntries, runLoggedModelMetrics, runLoggedModelTags, runLoggedModels, runModelOutputs } from './layout';

/** Reads of MLflow 3's logged models and model outputs in a run doc (DOC-LM1, DOC-LM3; logged-models.ts writes them). */

export const LOGGED_MODEL_STATUSES = ['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'] as const;

/** The run's model outputs, by model id. */
export function readModelOutputs(d: Y.Doc): { modelId: string; step: number }[] {
  return mapEntries(runModelOutputs(d))
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([modelId, step]) => ({ modelId, step }))
    .sort((a, b) => (a.modelId < b.modelId ? -1 : 1));
}

/** The run's logged models, oldest first. */
export function readLoggedModels(runId: string, d: Y.Doc): LoggedModel[] {
  const fields = new Map<string, Map<string, unknown>>();
  const group = (m: Y.Map<unknown>, into: Map<string, Map<string, unknown>>) => {
    for (const [k, v] of mapEntries(m)) {
      const i = k.indexOf(SEP);
      if (i <= 0) continue;
      let g = into.get(k.slice(0, i));
      if (!g) into.set(k.slice(0, i), (g = new Map()));
      g.set(k.slice(i + 1), v);
    }
  };
  group(runLoggedModels(d), fields);
  const tags = new Map<string, Map<string, unknown>>();
  group(runLoggedModelTags(d), tags);
  const metrics = new Map<string, Map<string, unknown>>();
  group(runLoggedModelMetrics(d), metrics);
  const out: LoggedModel[] = [];
  for (const [modelId, f] of fields) {
    const name = f.get('name');
    if (typeof name !== 'string') continue;
    const num = (k: string) => (typeof f.get(k) === 'number' ? (f.get(k) as number) : 0);
    let params: Record<string, string> = {};
    try {
      const parsed: unknown = JSON.parse(String(f.get('params') ?? '{}'));
      if (parsed && typeof parsed === 'object') params = Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      params = {};
    }
    const status = LOGGED_MODEL_STATUSES.find((s) => s === f.get('status')) ?? 'LOGGED_MODEL_PENDING';
    out.push({
      modelId,
      experimentId: String(f.get('experimentId') ?? ''),
      sourceRunId: runId,
      name,
      modelType: typeof f.get('modelType') === 'string' ? (f.get('modelType') as string) : '',
      status,
      creationTime: num('creationTime'),
      lastUpdatedTime: num('lastUpdatedTime') || num('creationTime'),
      params,
      tags: Object.fromEntries([...(tags.get(modelId) ?? [])].filter((e): e is [string, string] => typeof e[1] === 'string')),
      metrics: [...(metrics.get(modelId) ?? [])]
        .filter((e): e is [string, { value: number; timestamp: number; step: number; runId: string }] => !!e[1] && typeof e[1] === 'object' && typeof (e[1] as { value?: unknown }).value === 'number')
        .map(([key, p]) => ({ key, value: p.value, timestamp: p.timestamp, step: p.step, runId: p.runId }))
        .sort((a, b) => (a.key < b.key ? -1 : 1)),
    });
  }
  return out.sort((a, b) => a.creationTime - b.creationTime || (a.modelId < b.modelId ? -1 : 1));
}

