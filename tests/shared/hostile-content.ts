import * as Y from 'yjs';

/**
 * What a hostile (or buggy) peer can put into the document layout (format 2) without going through lib/doc's commands:
 * the relay checks Yjs well-formedness only (lib/doc/SPEC.md DOC-L5..DOC-L8). One builder for the reader tests
 * (tests/unit/hostile-content.test.ts), the data worker test and the rendered pages (tests/e2e/hostile-content.spec.ts).
 *
 * Every field of every stored record gets every value of WRONG_VALUES that is wrong for it (VALID_FOR lists what is in
 * fact valid). The layout is written by hand, root and field names and all, as another client would: experiments into
 * the workspace doc (`writeHostileWorkspace`), each hostile run into its own run doc (`writeHostileRun`), junk chunks
 * into a metrics doc (`writeHostileMetricsDoc`).
 *
 * A run doc written here may use a root as the other kind (`params` as a map, `tags` as an array: DOC-L5), which one
 * Y.Doc cannot also read the lib/doc way: read it from a copy that received its update (`received`), as a replica does.
 */

const SEP = '\u0001';

export interface WrongValue {
  label: string;
  /** A fresh value each time: a Yjs type can be integrated only once. */
  make(): unknown;
}

export const WRONG_VALUES: readonly WrongValue[] = [
  { label: 'object', make: () => ({ a: 1, nested: { b: [1, 2] } }) },
  { label: 'array', make: () => [1, 'two', { three: 3 }] },
  {
    label: 'Y.Map',
    make: () => {
      const m = new Y.Map<unknown>();
      m.set('a', 1);
      return m;
    },
  },
  { label: 'Y.Array', make: () => Y.Array.from([1, 2]) },
  { label: 'Y.Text', make: () => new Y.Text('hostile text') },
  { label: 'Y.XmlElement', make: () => new Y.XmlElement('div') },
  { label: 'subdocument', make: () => new Y.Doc() },
  { label: 'number', make: () => 42 },
  { label: 'string', make: () => 'hostile' },
  { label: 'empty string', make: () => '' },
  { label: 'huge string', make: () => 'h'.repeat(10_001) },
  { label: 'NaN', make: () => NaN },
  { label: 'Infinity', make: () => Infinity },
  { label: '-Infinity', make: () => -Infinity },
  { label: 'negative', make: () => -5 },
  { label: 'fraction', make: () => 0.5 },
  { label: 'boolean', make: () => true },
  { label: 'null', make: () => null },
  { label: 'undefined', make: () => undefined },
  { label: 'Uint8Array', make: () => new Uint8Array([1, 2, 3]) },
  { label: 'bigint', make: () => 7n },
  { label: 'Date', make: () => new Date(1_700_000_000_000) },
];

/** Y.Array takes JSON values, binary, docs and Yjs types as elements: undefined, bigint and Date cannot be pushed. */
export const ARRAY_ELEMENTS: readonly WrongValue[] = WRONG_VALUES.filter((w) => !['undefined', 'bigint', 'Date'].includes(w.label));

/** Labels of WRONG_VALUES that a field accepts as they are (the reader must then return them unchanged). */
export const VALID_FOR: Record<string, readonly string[]> = {
  // a run doc's `run`
  'run.experimentId': ['string'], // 'hostile' is a well-formed id: the run belongs to experiment 'hostile'
  'run.name': ['string'],
  'run.userId': ['string', 'empty string'],
  'run.status': [],
  'run.startTime': ['number'],
  'run.endTime': ['number', 'null'],
  'run.lifecycle': [],
  'run.deletedTime': ['number', 'null'],
  // a run doc's `params` entries
  'param.key': ['string'],
  'param.value': ['string', 'empty string'],
  'param.actor': ['string', 'empty string'],
  'param.at': ['number'],
  // a run doc's `tags` values
  'tag.value': ['string', 'empty string'],
  // a run doc's `metrics` values
  'share.latest': ['number', 'NaN', 'Infinity', '-Infinity', 'negative', 'fraction'],
  'share.latestStep': ['number', 'NaN', 'Infinity', '-Infinity', 'negative', 'fraction'],
  'share.latestTimestamp': ['number', 'NaN', 'Infinity', '-Infinity', 'negative', 'fraction'],
  'share.min': ['number', 'NaN', 'Infinity', '-Infinity', 'negative', 'fraction'],
  'share.max': ['number', 'NaN', 'Infinity', '-Infinity', 'negative', 'fraction'],
  'share.count': ['number'],
  // a run doc's `artifacts` values
  'artifact.path': [],
  'artifact.size': ['number'],
  'artifact.sha256': [],
  'artifact.mediaType': ['string'],
  'artifact.loggedAt': ['number'],
  // a run doc's `inputs` values (DatasetSchema: name, digest, sourceType 1–500; source ≤ 65535; schema, profile optional)
  'dataset.name': ['string'],
  'dataset.digest': ['string'],
  'dataset.sourceType': ['string'],
  'dataset.source': ['string', 'empty string', 'huge string'],
  'dataset.schema': ['string', 'empty string', 'huge string', 'undefined'],
  'dataset.profile': ['string', 'empty string', 'huge string', 'undefined'],
  // a run doc's `inputTags` values
  'inputTag.value': ['string', 'empty string'],
  // exp: <id>\u0001<field>
  'experiment.name': ['string'],
  'experiment.artifactLocation': ['string', 'empty string'],
  'experiment.lifecycle': [],
  'experiment.creationTime': ['number'],
  'experiment.lastUpdateTime': ['number'],
  // expTags values
  'experimentTag.value': ['string', 'empty string'],
};

/** The values of WRONG_VALUES that are wrong for `field` (a VALID_FOR key). */
export function wrongFor(field: string): WrongValue[] {
  const valid = VALID_FOR[field];
  if (!valid) throw new Error(`unknown field ${field}`);
  return WRONG_VALUES.filter((w) => !valid.includes(w.label));
}

/** Keys no writer could have written (DOC-K1): readers skip what sits under them. */
export const BAD_KEYS: readonly string[] = ['', 'a//b', '/abs', '../up', 'k'.repeat(251), 'bad\u0000key', '__proto__'];
/** Map keys that are no run id (ids are `^[a-zA-Z0-9][\w-]{0,255}$`). */
export const BAD_RUN_IDS: readonly string[] = ['', '-leading-dash', 'has space', '../../etc', 'r'.repeat(257)];
export const BAD_EXPERIMENT_IDS: readonly string[] = ['', 'bad id!', 'e'.repeat(65)];

export const GOOD_SHA = 'ab'.repeat(32);
export const goodShare = () => ({ latest: 0.25, latestStep: 3, latestTimestamp: 1_700_000_000_003, min: 0.25, max: 1, count: 4 });
export const goodRef = (path: string) => ({ path, size: 12, sha256: GOOD_SHA, mediaType: 'text/plain', loggedAt: 1_700_000_000_000 });

const RUN_INFO_GOOD = {
  userId: 'peer',
  status: 'FINISHED',
  startTime: 1_600_000_000_000,
  endTime: 1_600_000_001_000,
  lifecycle: 'active',
  deletedTime: null,
} as const;
export const RUN_INFO_FIELDS = ['name', 'userId', 'status', 'startTime', 'endTime', 'lifecycle', 'deletedTime'] as const;
export const EXPERIMENT_FIELDS = ['name', 'artifactLocation', 'lifecycle', 'creationTime', 'lastUpdateTime'] as const;
export const DATASET_FIELDS = ['name', 'digest', 'sourceType', 'source', 'schema', 'profile'] as const;
export const goodDataset = (name: string, digest: string) => ({ name, digest, sourceType: 'local', source: '{"uri":"/data/x.csv"}', schema: '{"cols":["a"]}' });

/** A run id the hostile builder makes up: 32 hex digits derived from a counter, so tests can name them. */
const hexId = (prefix: number, n: number) => (prefix.toString(16).padStart(2, '0') + n.toString(16).padStart(30, '0')).slice(0, 32);

export interface InfoVictim {
  label: string;
  runId: string;
  /** RunInfo fields written with the wrong value (the others hold RUN_INFO_GOOD and the name `info-<label>`). */
  corrupted: Set<string>;
  goodName: string;
}

export interface ExperimentVictim {
  label: string;
  experimentId: string;
  corrupted: Set<string>;
  goodName: string;
}

export interface HostileManifest {
  experimentId: string;
  /** One run per wrong value, with every RunInfo field for which the value is wrong set to it. */
  infoVictims: InfoVictim[];
  /** Runs whose experimentId is wrong: not part of any experiment's runs. */
  orphanRunIds: string[];
  /** Run docs whose `run` root a peer used as an array (list items, no fields): no run. */
  nonMapRunIds: string[];
  /** Good run docs held under ids that are no run id (what a holder keyed by a peer's name would hold). */
  badRunIds: string[];
  /**
   * Runs whose `params` root holds map entries only and whose map roots (`tags`, `metrics`, `artifacts`, `inputs`,
   * `inputTags`) hold list items only, one run per array element of WRONG_VALUES (good-looking records included).
   */
  containerVictims: string[];
  /**
   * One run holding every hostile nested record, next to good ones: param `ok`=`1` and `p`=`1` (with conflicting
   * entries whose actor or at are wrong), tag `ok`=`1`, metric `m` (one good share), artifact `model.txt`, dataset
   * (`train`, `d1`) with input tag `mlflow.data.context`=`training`, and junk in `meta`.
   */
  nestedRunId: string;
  /** Experiments with every field for which the value is wrong set to it, one per wrong value. */
  experimentVictims: ExperimentVictim[];
  /** Experiment ids (with a name) that are no experiment id. */
  badExperimentIds: string[];
  /** The number of conflict records (param `p`) the nested run must show: one per wrong actor and wrong at. */
  nestedConflicts: { actor: number; at: number };
  /** Every hostile run doc with a well-formed run id (a room a peer can write), for `writeHostileRun`. */
  runIds: string[];
  /** How each run doc (runIds and badRunIds) is written. */
  writers: Map<string, (runDoc: Y.Doc) => void>;
}

/**
 * Writes the hostile experiments into the workspace doc `ws` (one transaction) and plans the hostile runs under
 * `experimentId` (which must exist): write each with `writeHostileRun` (or all with `writeHostileRuns`). `seed` keeps
 * ids apart when a test writes more than once.
 */
export function writeHostileWorkspace(ws: Y.Doc, experimentId: string, seed = 0xa0): HostileManifest {
  let n = 0;
  const nextRunId = () => hexId(seed, ++n);
  const m: HostileManifest = {
    experimentId,
    infoVictims: [],
    orphanRunIds: [],
    nonMapRunIds: [],
    badRunIds: [],
    containerVictims: [],
    nestedRunId: '',
    experimentVictims: [],
    badExperimentIds: [],
    nestedConflicts: { actor: 0, at: 0 },
    runIds: [],
    writers: new Map(),
  };
  const plan = (runId: string, write: (d: Y.Doc) => void, valid = true) => {
    if (valid) m.runIds.push(runId);
    m.writers.set(runId, (d) => d.transact(() => write(d)));
  };
  const fieldsOf = (d: Y.Doc, fields: Record<string, unknown>) => {
    const r = d.getMap<unknown>('run');
    for (const [k, v] of Object.entries(fields)) r.set(k, v);
  };

  for (const w of WRONG_VALUES) {
    // RunInfo: every field this value is wrong for gets it.
    const corrupted = new Set<string>();
    const goodName = `info-${w.label}`;
    const fields: Record<string, unknown> = { experimentId, name: goodName, ...RUN_INFO_GOOD };
    for (const f of RUN_INFO_FIELDS) if (!VALID_FOR[`run.${f}`]!.includes(w.label)) corrupted.add(f);
    const runId = nextRunId();
    plan(runId, (d) => {
      const made = { ...fields };
      for (const f of corrupted) made[f] = w.make();
      fieldsOf(d, made);
      d.getArray<unknown>('params').push([{ key: 'ok', value: '1', actor: 'peer', at: 1 }]);
      d.getMap<unknown>('tags').set('ok', '1');
      // Readers never read meta: garbage there changes nothing (DOC-L1).
      d.getMap<unknown>('meta').set('formatVersion', w.make());
      d.getMap<unknown>('meta').set('runId', w.make());
    });
    m.infoVictims.push({ label: w.label, runId, corrupted, goodName });

    if (!VALID_FOR['run.experimentId']!.includes(w.label)) {
      const orphan = nextRunId();
      plan(orphan, (d) => fieldsOf(d, { ...RUN_INFO_GOOD, experimentId: w.make(), name: `orphan-${w.label}` }));
      m.orphanRunIds.push(orphan);
    }
  }
  for (const w of ARRAY_ELEMENTS) {
    const nonMap = nextRunId();
    plan(nonMap, (d) => {
      d.getArray<unknown>('run').push([w.make(), { experimentId, name: `non-map-${w.label}`, ...RUN_INFO_GOOD }]);
      d.getMap<unknown>('tags').set('ok', '1');
    });
    m.nonMapRunIds.push(nonMap);

    const container = nextRunId();
    plan(container, (d) => {
      fieldsOf(d, { ...RUN_INFO_GOOD, experimentId, name: `containers-${w.label}` });
      const params = d.getMap<unknown>('params');
      params.set('0', { key: 'lr', value: '1', actor: 'peer', at: 1 });
      params.set('1', w.make());
      d.getArray<unknown>('tags').push(['ok', w.make()]);
      d.getArray<unknown>('metrics').push([goodShare(), w.make()]);
      d.getArray<unknown>('artifacts').push([goodRef('a.txt'), w.make()]);
      d.getArray<unknown>('inputs').push([goodDataset('train', 'd1'), w.make()]);
      d.getArray<unknown>('inputTags').push(['training', w.make()]);
    });
    m.containerVictims.push(container);
  }
  for (const bad of BAD_RUN_IDS) {
    plan(bad, (d) => fieldsOf(d, { ...RUN_INFO_GOOD, experimentId, name: 'bad-run-id' }), false);
    m.badRunIds.push(bad);
  }
  m.nestedRunId = nextRunId();
  plan(m.nestedRunId, (d) => {
    fieldsOf(d, { ...RUN_INFO_GOOD, experimentId, name: 'nested-junk' });
    writeNestedJunk(d, m);
  });
  ws.transact(() => writeHostileExperiments(ws.getMap<unknown>('exp'), ws.getMap<unknown>('expTags'), experimentId, seed, m));
  return m;
}

/** Writes the hostile run `runId` of `m` into `runDoc` (a peer's copy of its run doc). */
export function writeHostileRun(runDoc: Y.Doc, runId: string, m: HostileManifest): void {
  const write = m.writers.get(runId);
  if (!write) throw new Error(`no hostile run ${runId}`);
  write(runDoc);
}

/** Writes every hostile run (bad ids included unless `validOnly`) into the doc `docOf` gives for it. */
export function writeHostileRuns(m: HostileManifest, docOf: (runId: string) => Y.Doc, opts: { validOnly?: boolean } = {}): void {
  for (const id of opts.validOnly ? m.runIds : [...m.runIds, ...m.badRunIds]) writeHostileRun(docOf(id), id, m);
}

/** A fresh doc holding what `d` holds, as a replica that received its update does. */
export function received(d: Y.Doc): Y.Doc {
  const out = new Y.Doc();
  Y.applyUpdate(out, Y.encodeStateAsUpdate(d));
  return out;
}

function writeNestedJunk(d: Y.Doc, m: HostileManifest): void {
  const params = d.getArray<unknown>('params');
  params.push([
    { key: 'ok', value: '1', actor: 'peer', at: 1 },
    { key: 'p', value: '1', actor: 'peer', at: 1 },
  ]);
  let i = 0;
  const entry = () => ({ key: `bad.${++i}`, value: 'x', actor: 'peer', at: 1 });
  for (const w of wrongFor('param.key')) params.push([{ ...entry(), key: w.make() }]);
  for (const w of wrongFor('param.value')) params.push([{ ...entry(), value: w.make() }]);
  m.nestedConflicts = { actor: 0, at: 0 };
  for (const w of wrongFor('param.actor')) {
    params.push([{ key: 'p', value: `actor-${++i}`, actor: w.make(), at: 1 }]);
    m.nestedConflicts.actor++;
  }
  for (const w of wrongFor('param.at')) {
    params.push([{ key: 'p', value: `at-${++i}`, actor: 'peer', at: w.make() }]);
    m.nestedConflicts.at++;
  }
  for (const w of ARRAY_ELEMENTS) params.push([w.make()]);

  const tags = d.getMap<unknown>('tags');
  tags.set('ok', '1');
  for (const w of wrongFor('tag.value')) tags.set(`bad.${++i}`, w.make());
  for (const k of BAD_KEYS) tags.set(k, 'v');

  const metrics = d.getMap<unknown>('metrics');
  metrics.set(`m${SEP}good`, goodShare());
  for (const f of ['latest', 'latestStep', 'latestTimestamp', 'min', 'max', 'count'] as const) {
    for (const w of wrongFor(`share.${f}`)) metrics.set(`m${SEP}evil-${++i}`, { ...goodShare(), [f]: w.make() });
    // A key whose only share is bad: the key is not listed at all.
    for (const w of wrongFor(`share.${f}`)) metrics.set(`only-bad.${f}${SEP}evil-${++i}`, { ...goodShare(), [f]: w.make() });
  }
  for (const w of WRONG_VALUES) metrics.set(`m${SEP}junk-${++i}`, w.make());
  metrics.set('nosep', goodShare());
  for (const k of BAD_KEYS) metrics.set(`${k}${SEP}peer`, goodShare());

  const artifacts = d.getMap<unknown>('artifacts');
  artifacts.set('model.txt', goodRef('model.txt'));
  for (const f of ['path', 'size', 'sha256', 'mediaType', 'loggedAt'] as const) {
    for (const w of wrongFor(`artifact.${f}`)) {
      const path = `bad-${++i}.txt`;
      artifacts.set(path, { ...goodRef(path), [f]: w.make() });
    }
  }
  for (const w of WRONG_VALUES) artifacts.set(`junk-${++i}.txt`, w.make());
  artifacts.set('key.txt', goodRef('other.txt'));

  // Datasets: one good one with its context tag; every field of the others wrong in turn, filed under the key their
  // good name and digest would have; one filed under another dataset's key; junk values; tags of nothing.
  const inputs = d.getMap<unknown>('inputs');
  const inputTags = d.getMap<unknown>('inputTags');
  inputs.set(`train${SEP}d1`, goodDataset('train', 'd1'));
  inputTags.set(`train${SEP}d1${SEP}mlflow.data.context`, 'training');
  for (const w of wrongFor('inputTag.value')) inputTags.set(`train${SEP}d1${SEP}bad.${++i}`, w.make());
  for (const k of BAD_KEYS) inputTags.set(`train${SEP}d1${SEP}${k}`, 'v');
  for (const f of DATASET_FIELDS) {
    for (const w of wrongFor(`dataset.${f}`)) {
      const name = `bad-${++i}`;
      inputs.set(`${name}${SEP}d1`, { ...goodDataset(name, 'd1'), [f]: w.make() });
      inputTags.set(`${name}${SEP}d1${SEP}mlflow.data.context`, 'training');
    }
  }
  for (const w of WRONG_VALUES) inputs.set(`junk-${++i}${SEP}d1`, w.make());
  inputs.set(`other${SEP}d1`, goodDataset('train', 'd1'));
  inputs.set('nosep', goodDataset('nosep', 'd1'));
  inputTags.set(`ghost${SEP}d9${SEP}mlflow.data.context`, 'training');
  inputTags.set('nosep', 'v');

  const meta = d.getMap<unknown>('meta');
  meta.set('formatVersion', new Y.Map());
  meta.set('runId', 'f'.repeat(32));
  meta.set('junk', new Y.Text('meta junk'));
}

function writeHostileExperiments(exp: Y.Map<unknown>, expTags: Y.Map<unknown>, experimentId: string, seed: number, m: HostileManifest): void {
  let i = 0;
  for (const w of WRONG_VALUES) {
    const id = `${seed}9${String(++i).padStart(6, '0')}`;
    const goodName = `exp-${seed}-${w.label}`;
    const fields: Record<string, unknown> = {
      name: goodName,
      artifactLocation: `s3://bucket/${id}`,
      lifecycle: 'active',
      creationTime: 1_600_000_000_000 + i,
      lastUpdateTime: 1_600_000_000_000 + i,
    };
    const corrupted = new Set<string>();
    for (const f of Object.keys(fields)) {
      if (VALID_FOR[`experiment.${f}`]!.includes(w.label)) continue;
      corrupted.add(f);
      fields[f] = w.make();
    }
    for (const [f, v] of Object.entries(fields)) exp.set(id + SEP + f, v);
    m.experimentVictims.push({ label: w.label, experimentId: id, corrupted, goodName });
  }
  for (const bad of BAD_EXPERIMENT_IDS) {
    exp.set(bad + SEP + 'name', `bad-experiment-id-${seed}`);
    m.badExperimentIds.push(bad);
  }
  expTags.set(experimentId + SEP + 'ok', '1');
  for (const w of wrongFor('experimentTag.value')) expTags.set(`${experimentId}${SEP}bad.${++i}`, w.make());
  for (const k of BAD_KEYS) expTags.set(experimentId + SEP + k, 'v');
}

/** Junk next to the good chunks of a metrics doc: values that are no chunk, bytes that do not decode, junk meta. */
export function writeHostileMetricsDoc(metricsDoc: Y.Doc): void {
  metricsDoc.transact(() => {
    const chunks = metricsDoc.getArray<unknown>('chunks');
    for (const w of ARRAY_ELEMENTS) chunks.push([w.make()]);
    chunks.push([new Uint8Array([1, 9, 9, 9]), new Uint8Array([1, 1, 0x6d, 0xff, 0xff, 0xff, 0x0f]), new Uint8Array()]);
    metricsDoc.getMap<unknown>('meta').set('formatVersion', new Y.Map());
  });
}
/**
 * Format 1's name for writeHostileMetricsDoc: the doc whose chunks it junks is the metrics doc now (room
 * `<ws>/run/<runId>/metrics`; format 1 kept chunks in `<ws>/run/<runId>`).
 */
export const writeHostileRunDoc = writeHostileMetricsDoc;
