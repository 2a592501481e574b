/**
 * `mlflow.log-model.history`: the run tag MLflow's `runs/log-model` appends each logged model's description to (a
 * JSON list of `Model.get_tags_dict()`). One home for the tag and its append rule, for every writer of it (the SDK's
 * logModel, the REST door's runs/log-model).
 */
import { MAX_TAG_VAL_LENGTH, invalid } from '../domain';
import { readRun } from './read';
import { requireRun, setTag, type Ctx } from './commands';

export const LOG_MODEL_HISTORY_TAG = 'mlflow.log-model.history';

/** The models a run's history tag lists (a garbled tag, a peer's, reads as none). */
export function readModelHistory(tags: Record<string, string>): unknown[] {
  try {
    const v: unknown = JSON.parse(tags[LOG_MODEL_HISTORY_TAG] ?? '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** Appends `model` to the run's history tag; refused (nothing written) when the tag would pass the tag length limit. */
export function appendModelHistory(c: Ctx, input: { runId: string; model: Record<string, unknown> }): void {
  const d = requireRun(c, input.runId);
  const run = readRun(input.runId, d);
  const value = JSON.stringify([...readModelHistory(run?.tags ?? {}), input.model]);
  if (value.length > MAX_TAG_VAL_LENGTH) {
    throw invalid(`The ${LOG_MODEL_HISTORY_TAG} tag of run ${input.runId} would exceed ${MAX_TAG_VAL_LENGTH} characters; log fewer or smaller models`);
  }
  setTag(c, { runId: input.runId, key: LOG_MODEL_HISTORY_TAG, value });
}
