import * as Y from 'yjs';

/**
 * The document layout, format 2 (lib/doc/SPEC.md §Layout). Everything that reads or writes Yjs structures goes through
 * these accessors so the layout has one home.
 *
 * Workspace doc (room `<workspace>`): nothing in it grows with the number of runs.
 *   meta        Y.Map  formatVersion
 *   exp         Y.Map  `${experimentId}\u0001${field}` → scalar   (flat: DOC-L2)
 *   expTags     Y.Map  `${experimentId}\u0001${key}` → string
 *   views       Y.Map  viewId → saved runs-table view record (views.ts)
 *   boards      Y.Map  flat dashboard keys: board, card config, card position and size apart (boards.ts)
 *   regModels   Y.Map  `${modelId}\u0001${field}` → scalar     (the registry, lib/registry; flat: DOC-L2)
 *   regModelTags Y.Map `${modelId}\u0001${key}` → string
 *   regVersions Y.Map  `${versionId}\u0001${field}` → scalar   (`number` written by the relay only, REG-N1)
 *   regVersionTags Y.Map `${versionId}\u0001${key}` → string
 *   regAliases  Y.Map  `${modelId}\u0001${alias}` → versionId
 *   regHistory  Y.Array<RegistryEvent>  every registry change, appended (concurrent appends all kept)
 * Run doc (one per run, room `<workspace>/run/<runId>`): root types only, so no two replicas can ever create the same
 * nested type (DOC-L2) and a writer can write into a run doc it has not synced yet.
 *   meta        Y.Map  formatVersion, runId
 *   run         Y.Map  the run's own fields (experimentId, name, userId, status, startTime, endTime, lifecycle, deletedTime)
 *   params      Y.Array<ParamEntry>  every write, in order (DOC-P4)
 *   tags        Y.Map  key → string
 *   metrics     Y.Map  `${key}\u0001${actor}` → SummaryShare (DOC-M2)
 *   artifacts   Y.Map  path → ArtifactRef
 *   inputs      Y.Map  `${name}\u0001${digest}` → StoredDataset
 *   inputTags   Y.Map  `${name}\u0001${digest}\u0001${key}` → string
 *   notes       Y.Text the run's description, typed together live (run-notes.ts; read as `mlflow.note.content`)
 * Metrics doc (one per run, room `<workspace>/run/<runId>/metrics`): the points, which a run's tags never load.
 *   meta        Y.Map  formatVersion, runId
 *   chunks      Y.Array<Uint8Array>  binary metric chunks (DOC-M4)
 *
 * Format 1 kept runs in the workspace doc (`runs`, a Y.Map of run Y.Maps) and points in the run doc's `chunks`;
 * upgrade.ts turns it into this.
 */
export const FORMAT_VERSION = 2;
/** Separates id and field in flat map keys; cannot occur in ids or MLflow keys. */
export const SEP = '\u0001';

export const wsMeta = (d: Y.Doc) => d.getMap<unknown>('meta');
export const wsExp = (d: Y.Doc) => d.getMap<unknown>('exp');
export const wsExpTags = (d: Y.Doc) => d.getMap<unknown>('expTags');
export const wsViews = (d: Y.Doc) => d.getMap<unknown>('views');
export const wsBoards = (d: Y.Doc) => d.getMap<unknown>('boards');
export const wsRegModels = (d: Y.Doc) => d.getMap<unknown>('regModels');
export const wsRegModelTags = (d: Y.Doc) => d.getMap<unknown>('regModelTags');
export const wsRegVersions = (d: Y.Doc) => d.getMap<unknown>('regVersions');
export const wsRegVersionTags = (d: Y.Doc) => d.getMap<unknown>('regVersionTags');
export const wsRegAliases = (d: Y.Doc) => d.getMap<unknown>('regAliases');
export const wsRegHistory = (d: Y.Doc) => d.getArray<unknown>('regHistory');

export const runMeta = (d: Y.Doc) => d.getMap<unknown>('meta');
export const runFields = (d: Y.Doc) => d.getMap<unknown>('run');
export const runParams = (d: Y.Doc) => d.getArray<unknown>('params');
export const runTags = (d: Y.Doc) => d.getMap<unknown>('tags');
export const runMetrics = (d: Y.Doc) => d.getMap<unknown>('metrics');
export const runArtifacts = (d: Y.Doc) => d.getMap<unknown>('artifacts');
export const runInputs = (d: Y.Doc) => d.getMap<unknown>('inputs');
export const runInputTags = (d: Y.Doc) => d.getMap<unknown>('inputTags');
/** MLflow 3's logged models whose source is the run (DOC-LM1): `<modelId>\u0001<field>` flat, like the registry. */
export const runLoggedModels = (d: Y.Doc) => d.getMap<unknown>('loggedModels');
export const runLoggedModelTags = (d: Y.Doc) => d.getMap<unknown>('loggedModelTags');
/** A logged model's metrics (metrics logged with its model_id): `<modelId>\u0001<key>` → its latest point (DOC-LM4). */
export const runLoggedModelMetrics = (d: Y.Doc) => d.getMap<unknown>('loggedModelMetrics');
/** The run's model outputs (runs/outputs): `<modelId>` → step. */
export const runModelOutputs = (d: Y.Doc) => d.getMap<unknown>('modelOutputs');
export const runNotes = (d: Y.Doc): Y.Text => d.getText('notes');

export const metricsMeta = (d: Y.Doc) => d.getMap<unknown>('meta');
export const metricChunks = (d: Y.Doc) => d.getArray<Uint8Array>('chunks');

/** Map key of a dataset input: (name, digest) identifies a dataset, as in MLflow. */
export const inputKey = (name: string, digest: string) => name + SEP + digest;

/** What readers take from a run doc's maps: the values as found. */
export function mapEntries(m: Y.Map<unknown>): [string, unknown][] {
  const out: [string, unknown][] = [];
  // forEach walks the map directly; entries() goes through two lib0 iterator wrappers per entry.
  m.forEach((v: unknown, k: string) => void out.push([k, v]));
  return out;
}

export function expField<T>(d: Y.Doc, id: string, field: string): T | undefined {
  return wsExp(d).get(id + SEP + field) as T | undefined;
}

/** All experiment ids present in the doc (an experiment exists once its `name` field exists). */
export function experimentIds(d: Y.Doc): string[] {
  const ids: string[] = [];
  for (const k of wsExp(d).keys()) {
    const i = k.indexOf(SEP);
    if (i > 0 && k.slice(i + 1) === 'name') ids.push(k.slice(0, i));
  }
  return ids;
}
