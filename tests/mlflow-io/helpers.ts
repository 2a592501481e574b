import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type CairnClient } from '@/lib/sdk';
import type { HistoryPoint } from '@/lib/doc';
import type { Run } from '@/lib/domain';

/** A temp folder removed by `remove()`. */
export function temp(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** An SDK client on its own fresh data dir, closed (and the dir removed) by the returned `close`. */
export async function client(relay: string, workspace = 'default'): Promise<{ c: CairnClient; close(): Promise<void> }> {
  const dir = temp('cairn-mio-sdk-');
  const c = await connect({ relay, workspace, dataDir: dir.path });
  return {
    c,
    close: async () => {
      await c.close();
      dir.remove();
    },
  };
}

export interface RunState {
  run: Run;
  histories: Record<string, HistoryPoint[]>;
  artifacts: Record<string, string>;
}

/**
 * Everything a workspace holds, in a form two workspaces can be compared by: experiments by name (ids, lifecycle,
 * tags), runs by id (info, params, tags, inputs, full histories, artifact bytes as hex). Read through a fresh client.
 */
export async function workspaceState(relay: string, workspace = 'default'): Promise<{ experiments: Record<string, unknown>; runs: Record<string, RunState> }> {
  const { c, close } = await client(relay, workspace);
  try {
    const experiments: Record<string, unknown> = {};
    const runs: Record<string, RunState> = {};
    for (const e of await c.listExperiments('ALL')) {
      experiments[e.name] = { id: e.experimentId, lifecycle: e.lifecycleStage, tags: e.tags };
      for (const listed of await c.listRuns(e.experimentId, 'ALL')) {
        const run = (await c.getRun(listed.info.runId))!;
        const histories: Record<string, HistoryPoint[]> = {};
        for (const key of Object.keys(run.metrics).sort()) histories[key] = await c.getMetricHistory(run.info.runId, key);
        const artifacts: Record<string, string> = {};
        for (const a of run.artifacts) artifacts[a.path] = Buffer.from(await (await fetch(`${relay}/blobs/${a.sha256}`)).arrayBuffer()).toString('hex');
        runs[run.info.runId] = { run, histories, artifacts };
      }
    }
    return { experiments, runs };
  } finally {
    await close();
  }
}

/** The parts of a run an import must reproduce (not the writer's actor ids or logging times). */
export function comparable(s: RunState): unknown {
  const { info, params, tags, inputs } = s.run;
  const { deletedTime: _d, artifactUri: _a, ...rest } = info;
  return {
    info: rest,
    params,
    tags,
    inputs: [...inputs].sort((a, b) => (a.dataset.name < b.dataset.name ? -1 : 1)),
    // NaN compares equal to NaN in toEqual; histories keep step order, ties in their stored order.
    histories: s.histories,
    artifacts: s.artifacts,
  };
}
