import { z } from 'zod';
import * as doc from '../lib/doc';
import { MAX_METRICS_PER_BATCH, RunIdSchema, asRunId, parseInput } from '../lib/domain';
import type { ServiceCore } from './service-core';

/**
 * The data worker's functions for logging to a run from the app itself (WRK-11): params, metric points and the end of
 * the run, each one lib/doc command through the same `writeRun` path as every other run write here (stored in
 * IndexedDB before it resolves, pushed to the relay by the doc engine). The built-in Iris example (lib/examples,
 * lib/react's useIrisExample) is their first user; an in-browser notebook could be the next.
 */

/** What the page may send: MLflow's own batch limits (1000 metrics, 100 params), checked here at the boundary. */
const ParamsInput = z.record(z.string(), z.string()).refine((p) => Object.keys(p).length <= 100, 'at most 100 params per call');
const PointsInput = z
  .array(z.object({ key: z.string(), value: z.number(), step: z.number(), timestamp: z.number().optional() }).strict())
  .max(MAX_METRICS_PER_BATCH);
const EndStatus = z.enum(['FINISHED', 'FAILED', 'KILLED']);

/** One point as the page sends it; `timestamp` defaults to the time the worker receives it. */
export interface MetricPointInput {
  key: string;
  value: number;
  step: number;
  timestamp?: number;
}

export function loggingApi(core: ServiceCore) {
  return {
    /** Params of a run (write-once, as MLflow: the same value again is a no-op, another value is refused). */
    async logRunParams(runId: string, params: Record<string, string>): Promise<void> {
      const id = parseInput(RunIdSchema, runId, 'run_id');
      const entries = Object.entries(parseInput(ParamsInput, params, 'params')).map(([key, value]) => ({ key, value }));
      await core.writeRun(id, (c) => doc.logBatch(c, { runId: id, params: entries }));
    },

    /**
     * Metric points of a run: one binary chunk per key in its metrics doc and the summaries in its run doc (DOC-M2,
     * DOC-M4), so the run's charts and the runs table update as they come. At most 1000 points a call.
     */
    async logRunMetrics(runId: string, points: MetricPointInput[]): Promise<void> {
      const id = parseInput(RunIdSchema, runId, 'run_id');
      const now = Date.now();
      const valid = doc.validatePoints(parseInput(PointsInput, points, 'metrics').map((p) => ({ ...p, timestamp: p.timestamp ?? now })));
      if (valid.length === 0) return;
      const h = await core.ready();
      const metrics = h.acquireMetrics(asRunId(id));
      try {
        await metrics.loaded;
        await core.writeRun(id, (c) => doc.appendMetrics(c, metrics.doc, id, valid));
      } finally {
        metrics.release();
      }
    },

    /** Ends a run: its status (FINISHED unless told) and end time, as MLflow's `end_run`. */
    async endRun(runId: string, status: 'FINISHED' | 'FAILED' | 'KILLED' = 'FINISHED'): Promise<void> {
      const id = parseInput(RunIdSchema, runId, 'run_id');
      const s = parseInput(EndStatus, status, 'status');
      await core.writeRun(id, (c) => doc.updateRun(c, { runId: id, status: s, endTime: Date.now() }));
    },
  };
}
