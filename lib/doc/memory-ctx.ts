import * as Y from 'yjs';
import type { Ctx } from './commands';

/** A command context whose run docs and metrics docs live in Maps: tests, converters, one-off tools. */
export interface MemoryCtx extends Ctx {
  readonly runDocs: Map<string, Y.Doc>;
  readonly metricsDocs: Map<string, Y.Doc>;
  metricsDoc(runId: string): Y.Doc;
}

export function memoryCtx(ws: Y.Doc, actor: string, now?: () => number): MemoryCtx {
  const runDocs = new Map<string, Y.Doc>();
  const metricsDocs = new Map<string, Y.Doc>();
  const get = (m: Map<string, Y.Doc>, id: string) => {
    let d = m.get(id);
    if (!d) m.set(id, (d = new Y.Doc()));
    return d;
  };
  return {
    ws,
    actor,
    ...(now ? { now } : {}),
    runDocs,
    metricsDocs,
    runDoc: (id) => get(runDocs, id),
    metricsDoc: (id) => get(metricsDocs, id),
  };
}
