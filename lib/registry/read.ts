import type * as Y from 'yjs';
import { SEP, mapEntries, wsRegAliases, wsRegHistory, wsRegModelTags, wsRegModels, wsRegVersionTags, wsRegVersions } from '../doc';
import type { Stage } from './schemas';

/** A registered model as readers see it (REG-M*). */
export interface RegisteredModel {
  modelId: string;
  name: string;
  creationTime: number;
  lastUpdatedTime: number;
  userId?: string;
  description: string;
  tags: Record<string, string>;
  /** Aliases → the version they point at (`version` null while that version waits for its number, REG-N2). */
  aliases: { alias: string; versionId: string; version: number | null }[];
  /** REG-M3: another live model has this name and was created first: this one is shown, marked, never dropped. */
  nameConflict: boolean;
  /** The latest numbered live version of each stage, by version number (MLflow's `latest_versions`). */
  latestVersions: ModelVersion[];
}

/** A model version as readers see it (REG-V*). */
export interface ModelVersion {
  versionId: string;
  modelId: string;
  /** The model's current name (a rename renames its versions, as in MLflow). */
  name: string;
  /** REG-N1: assigned by the relay; null while pending (created offline, not yet seen by the relay). */
  version: number | null;
  /** `READY` once numbered, `PENDING_REGISTRATION` before (MLflow's status names). */
  status: 'READY' | 'PENDING_REGISTRATION';
  creationTime: number;
  lastUpdatedTime: number;
  userId?: string;
  stage: Stage;
  description: string;
  source: string;
  runId?: string;
  runLink?: string;
  /** MLflow 3's logged model the version was made from (`model_id`). */
  loggedModelId?: string;
  tags: Record<string, string>;
  aliases: string[];
  deleted: boolean;
}

export type RegistryEventKind =
  | 'model.create'
  | 'model.rename'
  | 'model.description'
  | 'model.tag'
  | 'model.delete'
  | 'version.create'
  | 'version.number'
  | 'version.stage'
  | 'version.description'
  | 'version.tag'
  | 'version.delete'
  | 'alias.set'
  | 'alias.delete';

/** One entry of the transition history (REG-H1): who, when, what, from, to. Plain data in a root Y.Array. */
export interface RegistryEvent {
  id: string;
  at: number;
  actor: string;
  userId?: string;
  kind: RegistryEventKind;
  modelId: string;
  versionId?: string;
  /** The alias or tag key the event is about. */
  key?: string;
  from?: string | number | null;
  to?: string | number | null;
}

/** REG-H2: how an event stands after every replica merged: in effect, replaced later, or lost to a concurrent write. */
export type EventOutcome = 'current' | 'superseded' | 'lost';
export interface HistoryEntry extends RegistryEvent {
  outcome: EventOutcome;
}

interface StoredModel {
  modelId: string;
  name: string;
  creationTime: number;
  lastUpdatedTime: number;
  userId?: string;
  description: string;
  deletedTime?: number;
}

/** The registry of one workspace doc, read once per change of the doc (REG-R1) so 20k versions search in a few ms. */
export interface RegistryView {
  /** Live models, by name (then id). */
  readonly models: readonly RegisteredModel[];
  /** The model `name` names (REG-M3: the owner when two replicas created it), or undefined. */
  modelByName(name: string): RegisteredModel | undefined;
  modelById(modelId: string): RegisteredModel | undefined;
  /** A model's live versions, by number (pending ones last, by creation). */
  versionsOf(modelId: string, opts?: { includeDeleted?: boolean }): readonly ModelVersion[];
  /** Every live version of every live model (search input). */
  readonly versions: readonly ModelVersion[];
  versionById(versionId: string): ModelVersion | undefined;
  /** The live version `number` of a model. */
  version(modelId: string, number: number): ModelVersion | undefined;
  /** Highest number assigned to any version of the model, deleted ones included (numbers are never reused). */
  maxNumber(modelId: string): number;
  /** Versions still waiting for a number, oldest first (what the relay numbers, REG-N1). */
  readonly pending: readonly ModelVersion[];
  /** The history of a model (or of one of its versions), oldest first, each with its outcome (REG-H2). */
  history(modelId: string, versionId?: string): HistoryEntry[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * A flat map's `<id>\u0001<rest>` keys as id → rest → value, kept up to date from the map's change events (only the
 * keys a transaction changed are read again), so a change to one version does not re-read 20,000 versions' fields.
 */
class Grouped {
  readonly byId = new Map<string, Map<string, unknown>>();
  constructor(private readonly m: Y.Map<unknown>) {
    for (const [k, v] of mapEntries(m)) this.put(k, v);
  }
  /** The map's changed keys, read again; returns the ids they belong to. */
  changed(keys: Iterable<string>): Set<string> {
    const ids = new Set<string>();
    for (const k of keys) {
      const id = this.put(k, this.m.get(k));
      if (id !== null) ids.add(id);
    }
    return ids;
  }
  private put(k: string, v: unknown): string | null {
    const i = k.indexOf(SEP);
    if (i <= 0) return null;
    const id = k.slice(0, i);
    let g = this.byId.get(id);
    if (v === undefined && !this.m.has(k)) {
      g?.delete(k.slice(i + 1));
      if (g && g.size === 0) this.byId.delete(id);
      return id;
    }
    if (!g) this.byId.set(id, (g = new Map()));
    g.set(k.slice(i + 1), v);
    return id;
  }
}

interface Slot {
  stale: boolean;
  view: RegistryView | null;
  models: Grouped;
  modelTags: Grouped;
  versions: Grouped;
  versionTags: Grouped;
  aliases: Grouped;
  /** Versions whose fields hold a `modelId` but no `number`: kept from the change events, read without a view. */
  unnumbered: Set<string>;
}

/** A grouped map's string values as a plain record (a peer's non-string value is not a tag). */
function stringRecord(fields: Map<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (fields) for (const [k, v] of fields) if (typeof v === 'string' && k !== '__proto__') out[k] = v;
  return out;
}

const views = new WeakMap<Y.Doc, Slot>();

/** The doc's registry slot: its maps grouped by id and kept up to date from their change events (attached once). */
function slotOf(ws: Y.Doc): Slot {
  const found = views.get(ws);
  if (found) return found;
  const s: Slot = {
    stale: true,
    view: null,
    models: new Grouped(wsRegModels(ws)),
    modelTags: new Grouped(wsRegModelTags(ws)),
    versions: new Grouped(wsRegVersions(ws)),
    versionTags: new Grouped(wsRegVersionTags(ws)),
    aliases: new Grouped(wsRegAliases(ws)),
    unnumbered: new Set(),
  };
  const recheck = (id: string) => {
    const f = s.versions.byId.get(id);
    if (f && typeof f.get('modelId') === 'string' && typeof f.get('number') !== 'number') s.unnumbered.add(id);
    else s.unnumbered.delete(id);
  };
  for (const id of s.versions.byId.keys()) recheck(id);
  // Only a change of the registry's own types makes the view stale: an experiment edit (every workspace commit
  // runs the relay's numbering check, REG-N1) must not rebuild a 20,000-version view.
  const watch = (m: Y.Map<unknown>, g: Grouped, after?: (ids: Set<string>) => void) =>
    m.observe((e) => {
      const ids = g.changed(e.keysChanged);
      after?.(ids);
      s.stale = true;
    });
  watch(wsRegModels(ws), s.models);
  watch(wsRegModelTags(ws), s.modelTags);
  watch(wsRegVersions(ws), s.versions, (ids) => ids.forEach(recheck));
  watch(wsRegVersionTags(ws), s.versionTags);
  watch(wsRegAliases(ws), s.aliases);
  wsRegHistory(ws).observe(() => {
    s.stale = true;
  });
  views.set(ws, s);
  return s;
}

/** REG-R1: the registry as the doc holds it now; rebuilt only after one of the registry's maps (or its history) changed. */
export function readRegistry(ws: Y.Doc): RegistryView {
  const slot = slotOf(ws);
  if (slot.stale || !slot.view) {
    slot.view = buildView(ws, slot);
    slot.stale = false;
  }
  return slot.view;
}

/**
 * REG-N1: whether some version may still wait for its number — without building the view (the relay asks after every
 * workspace commit). True can be a version of a model this replica does not hold; `readRegistry(ws).pending` is exact.
 */
export function mayHavePendingVersions(ws: Y.Doc): boolean {
  return slotOf(ws).unnumbered.size > 0;
}

function buildView(ws: Y.Doc, g: Slot): RegistryView {
  const stored: StoredModel[] = [];
  const modelTags = g.modelTags.byId;
  for (const [modelId, f] of g.models.byId) {
    const name = str(f.get('name'));
    if (name === undefined) continue;
    const creationTime = num(f.get('creationTime')) ?? 0;
    stored.push({
      modelId,
      name,
      creationTime,
      lastUpdatedTime: num(f.get('lastUpdatedTime')) ?? creationTime,
      ...(str(f.get('userId')) ? { userId: str(f.get('userId'))! } : {}),
      description: str(f.get('description')) ?? '',
      ...(num(f.get('deletedTime')) !== undefined ? { deletedTime: num(f.get('deletedTime'))! } : {}),
    });
  }
  const live = stored.filter((m) => m.deletedTime === undefined);
  const storedById = new Map(stored.map((m) => [m.modelId, m]));
  // REG-M3: of live models sharing a name, the earliest created (then smallest id) owns it.
  const owner = new Map<string, StoredModel>();
  for (const m of live) {
    const o = owner.get(m.name);
    if (!o || m.creationTime < o.creationTime || (m.creationTime === o.creationTime && m.modelId < o.modelId)) owner.set(m.name, m);
  }

  const versionTags = g.versionTags.byId;
  const aliasesByModel = new Map<string, Map<string, string>>();
  for (const [modelId, a] of g.aliases.byId) {
    const m = new Map<string, string>();
    for (const [alias, v] of a) if (typeof v === 'string') m.set(alias, v);
    aliasesByModel.set(modelId, m);
  }

  const all: ModelVersion[] = [];
  const maxNumbers = new Map<string, number>();
  for (const [versionId, f] of g.versions.byId) {
    const modelId = str(f.get('modelId'));
    const model = modelId ? storedById.get(modelId) : undefined;
    if (!modelId || !model) continue;
    const number = num(f.get('number'));
    if (number !== undefined) maxNumbers.set(modelId, Math.max(maxNumbers.get(modelId) ?? 0, number));
    const creationTime = num(f.get('creationTime')) ?? 0;
    const st = f.get('stage');
    // Plain assignments (no spreads, no entry arrays): this loop runs once per version on every rebuild.
    const v: ModelVersion = {
      versionId,
      modelId,
      name: model.name,
      version: number ?? null,
      status: number === undefined ? 'PENDING_REGISTRATION' : 'READY',
      creationTime,
      lastUpdatedTime: num(f.get('lastUpdatedTime')) ?? creationTime,
      stage: st === 'Staging' || st === 'Production' || st === 'Archived' ? st : 'None',
      description: str(f.get('description')) ?? '',
      source: str(f.get('source')) ?? '',
      tags: stringRecord(versionTags.get(versionId)),
      aliases: [],
      deleted: num(f.get('deletedTime')) !== undefined,
    };
    const userId = str(f.get('userId'));
    if (userId) v.userId = userId;
    const runId = str(f.get('runId'));
    if (runId) v.runId = runId;
    const runLink = str(f.get('runLink'));
    if (runLink !== undefined) v.runLink = runLink;
    const loggedModelId = str(f.get('loggedModelId'));
    if (loggedModelId) v.loggedModelId = loggedModelId;
    all.push(v);
  }
  const byNumber = (a: ModelVersion, b: ModelVersion) =>
    (a.version ?? Infinity) - (b.version ?? Infinity) || a.creationTime - b.creationTime || (a.versionId < b.versionId ? -1 : 1);
  all.sort(byNumber);
  const versionById = new Map(all.map((v) => [v.versionId, v]));

  const models: RegisteredModel[] = [];
  const modelById = new Map<string, RegisteredModel>();
  const versionsByModel = new Map<string, ModelVersion[]>();
  for (const v of all) {
    let list = versionsByModel.get(v.modelId);
    if (!list) versionsByModel.set(v.modelId, (list = []));
    list.push(v);
  }
  for (const m of live) {
    const aliases: RegisteredModel['aliases'] = [];
    for (const [alias, versionId] of aliasesByModel.get(m.modelId) ?? []) {
      const v = versionById.get(versionId);
      // An alias of a deleted version (or of another model's) is gone (REG-A3).
      if (!v || v.deleted || v.modelId !== m.modelId) continue;
      aliases.push({ alias, versionId, version: v.version });
      v.aliases.push(alias);
    }
    aliases.sort((a, b) => (a.alias < b.alias ? -1 : 1));
    const liveVersions = (versionsByModel.get(m.modelId) ?? []).filter((v) => !v.deleted);
    const latest = new Map<Stage, ModelVersion>();
    for (const v of liveVersions) if (v.version !== null) latest.set(v.stage, v);
    const rm: RegisteredModel = {
      modelId: m.modelId,
      name: m.name,
      creationTime: m.creationTime,
      lastUpdatedTime: m.lastUpdatedTime,
      ...(m.userId ? { userId: m.userId } : {}),
      description: m.description,
      tags: stringRecord(modelTags.get(m.modelId)),
      aliases,
      nameConflict: owner.get(m.name) !== m,
      latestVersions: [...latest.values()].sort(byNumber),
    };
    models.push(rm);
    modelById.set(m.modelId, rm);
  }
  models.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.modelId < b.modelId ? -1 : 1));
  const liveAll = all.filter((v) => !v.deleted && modelById.has(v.modelId));
  const byNumberKey = new Map<string, Map<number, ModelVersion>>();
  for (const v of liveAll) {
    if (v.version === null) continue;
    let m = byNumberKey.get(v.modelId);
    if (!m) byNumberKey.set(v.modelId, (m = new Map()));
    m.set(v.version, v);
  }
  let events: RegistryEvent[] | null = null;
  const readEvents = () => (events ??= readHistory(ws));

  return {
    models,
    modelByName: (name) => {
      const o = owner.get(name);
      return o ? modelById.get(o.modelId) : undefined;
    },
    modelById: (id) => modelById.get(id),
    versionsOf: (modelId, opts = {}) => (versionsByModel.get(modelId) ?? []).filter((v) => opts.includeDeleted || !v.deleted),
    versions: liveAll,
    versionById: (id) => versionById.get(id),
    version: (modelId, n) => byNumberKey.get(modelId)?.get(n),
    maxNumber: (modelId) => maxNumbers.get(modelId) ?? 0,
    pending: all.filter((v) => v.version === null).sort((a, b) => a.creationTime - b.creationTime || (a.versionId < b.versionId ? -1 : 1)),
    history: (modelId, versionId) => withOutcomes(readEvents(), { modelId, versionId, aliases: aliasesByModel.get(modelId), versionById }),
  };
}

function readHistory(ws: Y.Doc): RegistryEvent[] {
  const out: RegistryEvent[] = [];
  for (const e of wsRegHistory(ws).toArray()) {
    if (!e || typeof e !== 'object') continue;
    const r = e as Partial<RegistryEvent>;
    if (typeof r.id !== 'string' || typeof r.kind !== 'string' || typeof r.modelId !== 'string' || typeof r.at !== 'number') continue;
    out.push(r as RegistryEvent);
  }
  return out;
}

/**
 * REG-H2: each alias and stage event's outcome. Per (alias) or (version's stage), events by time: the last whose `to`
 * is the value the merged doc holds is `current`; events after it, and earlier ones made from the same `from` as it
 * (concurrent writes: their replica had not seen the winner), are `lost`; other earlier ones `superseded`. Other
 * events are `current`.
 */
function withOutcomes(
  events: RegistryEvent[],
  q: { modelId: string; versionId?: string | undefined; aliases: Map<string, string> | undefined; versionById: Map<string, ModelVersion> },
): HistoryEntry[] {
  const mine = events.filter((e) => e.modelId === q.modelId && (q.versionId === undefined || e.versionId === q.versionId || (e.kind.startsWith('alias.') && aliasTouches(e, q.versionId))));
  // By time; equal times keep the array's order (one replica's events in the order it made them; a merge orders
  // concurrent ones the same way on every replica). Array.prototype.sort is stable.
  mine.sort((a, b) => a.at - b.at);
  const out: HistoryEntry[] = mine.map((e) => ({ ...e, outcome: 'current' }));
  const groups = new Map<string, { holds: string | number | null; list: HistoryEntry[] }>();
  for (const e of out) {
    let key: string | null = null;
    let holds: string | number | null = null;
    if (e.kind === 'alias.set' || e.kind === 'alias.delete') {
      key = `alias${SEP}${e.key}`;
      holds = q.aliases?.get(e.key ?? '') ?? null;
    } else if (e.kind === 'version.stage' && e.versionId) {
      key = `stage${SEP}${e.versionId}`;
      holds = q.versionById.get(e.versionId)?.stage ?? null;
    }
    if (key === null) continue;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { holds, list: [] }));
    g.list.push(e);
  }
  for (const { holds, list } of groups.values()) {
    let winner = -1;
    for (let i = list.length - 1; i >= 0; i--) {
      if ((list[i]!.to ?? null) === holds) {
        winner = i;
        break;
      }
    }
    const w = list[winner];
    list.forEach((e, i) => {
      // An earlier event made from the same state as the winner was concurrent with it: it lost, it was not replaced.
      const concurrent = w !== undefined && i < winner && (e.from ?? null) === (w.from ?? null) && e.to !== w.to;
      e.outcome = winner < 0 ? 'lost' : i === winner ? 'current' : i > winner || concurrent ? 'lost' : 'superseded';
    });
  }
  return out;
}

function aliasTouches(e: RegistryEvent, versionId: string | undefined): boolean {
  return versionId !== undefined && (e.from === versionId || e.to === versionId);
}
