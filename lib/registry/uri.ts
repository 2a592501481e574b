import type * as Y from 'yjs';
import { CairnError, RunIdSchema, invalid, notFound } from '../domain';
import { requireAlias, requireModel, requireVersion } from './commands';
import type { ModelVersion } from './read';
import { STAGES } from './schemas';

/** A parsed model URI (REG-U1): what MLflow's `models:/` and `runs:/` forms name. */
export type ModelUri =
  | { kind: 'run'; runId: string; artifactPath: string }
  | { kind: 'version'; name: string; version: number }
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'stage'; name: string; stage: (typeof STAGES)[number] }
  | { kind: 'latest'; name: string }
  | { kind: 'logged-model'; modelId: string };

/** REG-U1: `runs:/<id>/<path>`, `models:/<name>/<version>`, `models:/<name>@<alias>`, `models:/<name>/<stage>`,
 * `models:/<name>/latest`, `models:/<logged model id>` — or INVALID_PARAMETER_VALUE naming the forms. */
export function parseModelUri(uri: string): ModelUri {
  const bad = () => invalid(`Invalid model URI '${uri}': use runs:/<run_id>/<path>, models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/<stage> or models:/<name>/latest`);
  const run = /^runs:\/+([^/]+)\/(.+)$/.exec(uri);
  if (run) {
    if (!RunIdSchema.safeParse(run[1]).success) throw bad();
    const artifactPath = run[2]!.replace(/\/+$/, '');
    if (artifactPath === '') throw bad();
    return { kind: 'run', runId: run[1]!, artifactPath };
  }
  const m = /^models:\/+(.+)$/.exec(uri);
  if (!m) throw bad();
  const rest = m[1]!.replace(/\/+$/, '');
  const at = rest.lastIndexOf('@');
  if (at > 0 && !rest.slice(at).includes('/')) return { kind: 'alias', name: rest.slice(0, at), alias: rest.slice(at + 1) };
  const slash = rest.lastIndexOf('/');
  if (slash < 0) {
    if (/^m-[0-9a-f]{32}$/.test(rest)) return { kind: 'logged-model', modelId: rest };
    throw bad();
  }
  const name = rest.slice(0, slash);
  const tail = rest.slice(slash + 1);
  if (name === '' || tail === '') throw bad();
  if (/^\d+$/.test(tail)) return { kind: 'version', name, version: Number(tail) };
  if (tail.toLowerCase() === 'latest') return { kind: 'latest', name };
  const stage = STAGES.find((s) => s.toLowerCase() === tail.toLowerCase());
  if (stage) return { kind: 'stage', name, stage };
  throw bad();
}

/** Where a model's files are: a run's artifacts under a path (REG-U2). */
export interface ResolvedModel {
  runId: string;
  artifactPath: string;
  /** Set when the URI named a registered version. */
  version?: ModelVersion;
}

/**
 * REG-U2: resolves a model URI against the registry of `ws` to the run artifacts holding the model. A version's
 * source is read in its MLflow forms: `runs:/<id>/<path>`, `mlflow-artifacts:/<exp>/<run>/artifacts/<path>` (and the
 * same path under any scheme), or its `run_id` with a source inside that run's artifacts.
 */
export function resolveModelUri(ws: Y.Doc, uri: string): ResolvedModel {
  const u = parseModelUri(uri);
  if (u.kind === 'run') return { runId: u.runId, artifactPath: u.artifactPath };
  if (u.kind === 'logged-model') throw new CairnError('INVALID_PARAMETER_VALUE', `Logged model URIs (${uri}) are not resolved here: use the registered version's models:/<name>/<version>`);
  const c = { ws };
  let v: ModelVersion | undefined;
  if (u.kind === 'version') v = requireVersion(c, u.name, u.version).version;
  else if (u.kind === 'alias') v = requireAlias(c, u.name, u.alias);
  else {
    const model = requireModel(c, u.name);
    const candidates = model.latestVersions.filter((x) => u.kind === 'latest' || x.stage === u.stage);
    v = candidates.sort((a, b) => (b.version ?? 0) - (a.version ?? 0))[0];
    if (!v) throw notFound(u.kind === 'latest' ? `Registered Model ${u.name} has no versions` : `No versions of model ${u.name} in stage ${u.stage}`);
  }
  const where = sourceLocation(v.source, v.runId);
  if (!where) throw invalid(`Model version ${v.name}/${v.version ?? 'pending'} has source '${v.source}', which is not in a run's artifacts`);
  return { ...where, version: v };
}

/** A version source as a run and artifact path, or null when it names none. */
export function sourceLocation(source: string, runId?: string): { runId: string; artifactPath: string } | null {
  const run = /^runs:\/+([^/]+)\/(.+)$/.exec(source);
  if (run) return { runId: run[1]!, artifactPath: run[2]!.replace(/\/+$/, '') };
  const art = /^[a-z][\w+.-]*:(?:.*?\/)?([0-9a-zA-Z][\w-]*)\/artifacts\/(.+)$/.exec(source);
  if (art && RunIdSchema.safeParse(art[1]).success && (!runId || runId === art[1])) return { runId: art[1]!, artifactPath: art[2]!.replace(/\/+$/, '') };
  return null;
}
