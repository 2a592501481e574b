import { fetchIndex, type EarlySnapshots, type FetchLike } from '../relay-client';
import { IndexReplica, catchUp, decodeIndex, encodeIndex, sameRow, type IndexRow } from '../run-index';

/**
 * The runs of each experiment as this replica sees them (README.md "Runs of an experiment", SPEC.md SYNC-10..12):
 * the relay's experiment index (lib/run-index bytes over `GET /index/<ws>/<exp>?since=&epoch=`, kept as an
 * IndexReplica and caught up by deltas), saved on this device so a warm open paints from it at once, with the rows
 * this replica builds from the run docs it holds laid over it (its own writes not yet on the relay, runs created
 * offline). Never a source of truth: the run docs are.
 *
 * Which row wins for a run: the one set most recently. A local row is set when the run doc changes here; the relay's
 * row is taken when a delta brings a new version of it. So a write not yet on the relay shows, and once the relay's
 * index has folded it in (or someone else changed the run since), the relay's row shows.
 */

/**
 * How often a watched experiment asks the relay for a delta when no notice came: the relay's index-changed notices
 * on the workspace socket (SYNC-X5) bring changes within a second; this catches what a dropped socket missed.
 */
export const INDEX_POLL_MS = 5_000;
/** A first visit waits this long for the relay's index before showing what it has (the local rows). */
const FIRST_FETCH_WAIT_MS = 10_000;

export interface SavedIndexes {
  load(experimentId: string): Promise<Uint8Array | undefined>;
  /** Saves what `value()` gives when the save runs (debounced by the caller). */
  save(experimentId: string, value: () => Uint8Array): void;
}

export interface ExperimentRunsDeps {
  workspace: string;
  relay: string | null;
  token: string | null;
  fetch: FetchLike;
  saved: SavedIndexes;
  pollMs?: number;
  /** Indexes asked for before this host opened (CHART-18): a first fetch from scratch takes its early answer. */
  early?: EarlySnapshots;
}

interface Exp {
  replica: IndexReplica;
  /** Tick at which the relay's version of each row arrived. */
  relayAt: Map<string, number>;
  /** Bumped on every change: callers cache what they derive from `rows()` by it. */
  version: number;
  ready: Promise<void> | null;
  fetching: Promise<boolean> | null;
  /** Set once a fetch answered (this session). */
  fetched: boolean;
  watchers: number;
  timer: ReturnType<typeof setTimeout> | null;
  merged: IndexRow[] | null;
}

export class ExperimentRuns {
  private readonly exps = new Map<string, Exp>();
  /** This replica's rows: runId → row and the tick it was set. */
  private readonly local = new Map<string, { row: IndexRow; at: number }>();
  private readonly listeners = new Set<(experimentId: string) => void>();
  private tick = 0;
  private stopped = false;
  private localReady: Promise<void> = Promise.resolve();
  private readonly pollMs: number;

  constructor(private readonly d: ExperimentRunsDeps) {
    this.pollMs = d.pollMs ?? INDEX_POLL_MS;
  }

  /** The local rows are being read (the host's run docs): answers wait for it, so a first answer is not partial. */
  waitFor(localRows: Promise<void>): void {
    this.localReady = localRows;
  }

  /** The runs of an experiment, every lifecycle: the relay's rows with this replica's over them, by run id. */
  async rows(experimentId: string): Promise<IndexRow[]> {
    const e = this.exp(experimentId);
    await Promise.all([this.ready(experimentId, e), this.localReady]);
    return this.merged(experimentId, e);
  }

  /** The version of an experiment's rows: unchanged version, unchanged rows. */
  version(experimentId: string): number {
    return this.exp(experimentId).version;
  }

  /** Whether the rows come from the relay's index as fetched this session (false: saved copy or local rows only). */
  isFresh(experimentId: string): boolean {
    return this.exp(experimentId).fetched;
  }

  /** The row this replica knows for a run, in any experiment seen (status lookups), local first. */
  row(runId: string): IndexRow | undefined {
    const mine = this.local.get(runId);
    let best: { row: IndexRow; at: number } | undefined = mine;
    for (const e of this.exps.values()) {
      const r = e.replica.get(runId);
      const at = e.relayAt.get(runId) ?? 0;
      if (r && (!best || at > best.at)) best = { row: r, at };
    }
    return best?.row;
  }

  /** A row this replica built from a run doc it holds; `null` when the doc holds no readable run. */
  setLocal(runId: string, row: IndexRow | null): void {
    const old = this.local.get(runId);
    if (!row) {
      if (!old) return;
      this.local.delete(runId);
      this.changed(old.row.experimentId);
      return;
    }
    if (old && sameRow(old.row, row)) return;
    this.local.set(runId, { row, at: ++this.tick });
    if (old && old.row.experimentId !== row.experimentId) this.changed(old.row.experimentId);
    this.changed(row.experimentId);
  }

  /** Called with an experiment id whenever its rows changed. */
  onChange(cb: (experimentId: string) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Keeps an experiment caught up (a delta every pollMs) while someone looks at it; call the result to stop. */
  watch(experimentId: string): () => void {
    const e = this.exp(experimentId);
    e.watchers++;
    if (e.watchers === 1) this.schedulePoll(experimentId, e);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      e.watchers--;
      if (e.watchers === 0 && e.timer) {
        clearTimeout(e.timer);
        e.timer = null;
      }
    };
  }

  /** Asks the relay for what changed; true when the rows changed. Rejects when the relay cannot answer. */
  refresh(experimentId: string): Promise<boolean> {
    const e = this.exp(experimentId);
    if (!this.d.relay) return Promise.resolve(false);
    e.fetching ??= this.fetchOnce(experimentId, e).finally(() => {
      e.fetching = null;
    });
    return e.fetching;
  }

  /**
   * The relay said an experiment's index is at `seq` of `epoch` (its workspace socket, MSG_INDEX_CHANGED): a copy
   * someone holds that is behind asks for the delta now.
   */
  noticed(experimentId: string, seq: number, epoch: string): void {
    const e = this.exps.get(experimentId);
    if (!e || !e.ready || this.stopped) return;
    if (e.replica.epoch === epoch && e.replica.seq >= seq) return;
    void this.refresh(experimentId).catch(() => false);
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.exps.values()) if (e.timer) clearTimeout(e.timer);
    this.listeners.clear();
  }

  // ------------------------------------------------------------------ internals

  private exp(id: string): Exp {
    let e = this.exps.get(id);
    if (!e) {
      e = { replica: new IndexReplica(), relayAt: new Map(), version: 0, ready: null, fetching: null, fetched: false, watchers: 0, timer: null, merged: null };
      this.exps.set(id, e);
    }
    return e;
  }

  /** The saved copy first (a warm open paints from it); with none, the first fetch is waited for. */
  private ready(id: string, e: Exp): Promise<void> {
    e.ready ??= (async () => {
      const bytes = await this.d.saved.load(id).catch(() => undefined);
      let had = false;
      if (bytes) {
        try {
          had = e.replica.apply(decodeIndex(bytes));
          for (const r of e.replica.allRows()) e.relayAt.set(r.runId, 0);
        } catch {
          // An unreadable saved copy costs a snapshot, nothing else.
        }
      }
      if (!this.d.relay) return;
      const first = this.refresh(id).catch(() => false);
      if (!had) await Promise.race([first, new Promise((r) => setTimeout(r, FIRST_FETCH_WAIT_MS))]);
    })();
    return e.ready;
  }

  private async fetchOnce(id: string, e: Exp): Promise<boolean> {
    const ask = (since: number, epoch: string) => fetchIndex(this.d.fetch, this.d.relay!, this.d.workspace, id, this.d.token, since, epoch);
    const fetchMsg = async (since: number, epoch: string) => {
      // An early answer is the snapshot from scratch only; one that failed is asked for again.
      const early = since === 0 && epoch === '' ? this.d.early?.takeIndex(this.d.relay!, this.d.workspace, id, this.d.token) : null;
      return decodeIndex(await (early ? early.catch(() => ask(since, epoch)) : ask(since, epoch)));
    };
    const applied = await catchUp(e.replica, fetchMsg);
    if (this.stopped) return false;
    let changed = false;
    for (const msg of applied) changed = this.took(id, e, msg, msg.fromSeq === 0) || changed;
    return changed;
  }

  private took(id: string, e: Exp, msg: ReturnType<typeof decodeIndex>, whole: boolean): boolean {
    e.fetched = true;
    const changed = whole || msg.rows.length > 0 || msg.removed.length > 0;
    if (!changed) return false;
    const at = ++this.tick;
    if (whole) e.relayAt.clear();
    for (const r of msg.rows) e.relayAt.set(r.runId, at);
    for (const r of msg.removed) e.relayAt.set(r, at);
    this.d.saved.save(id, () => encodeIndex(e.replica.snapshot()));
    this.changed(id);
    return true;
  }

  private merged(id: string, e: Exp): IndexRow[] {
    if (e.merged) return e.merged;
    const out = new Map<string, IndexRow>();
    for (const r of e.replica.allRows()) out.set(r.runId, r);
    for (const [runId, l] of this.local) {
      const relayAt = e.relayAt.get(runId);
      // The relay's newer word on this run (a new row, a move to another experiment, a removal) beats ours.
      if (relayAt !== undefined && relayAt >= l.at) continue;
      if (l.row.experimentId === id) out.set(runId, l.row);
      else out.delete(runId);
    }
    e.merged = [...out.values()];
    return e.merged;
  }

  private changed(id: string): void {
    const e = this.exp(id);
    e.version++;
    e.merged = null;
    for (const l of this.listeners) l(id);
  }

  private schedulePoll(id: string, e: Exp): void {
    if (this.stopped || e.watchers === 0 || !this.d.relay) return;
    e.timer = setTimeout(() => {
      e.timer = null;
      void this.refresh(id)
        .catch(() => false)
        .finally(() => this.schedulePoll(id, e));
    }, this.pollMs);
  }
}
