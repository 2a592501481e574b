import * as Y from 'yjs';
import { LOAD_ORIGIN, type LocalBinding, type LocalLog } from '../engine';
import { applyHeldUpdate } from '../engine/held-bytes';
import type { SendGate } from '../relay-client';
import { REC_CLEAN, REC_DIRTY, recSimple, recUpdate, type Journal } from './journal';

/**
 * The doc engine's local log over the SDK's journal (lib/engine's LocalLog port, ENG-L1..ENG-L5). Names are the
 * journal's doc names (`ws`, `run/<id>`, `run/<id>/metrics`). What each doc holds is kept in memory as its journaled
 * updates (merged into one when the doc closes), so a doc opens synchronously: right after `bind` the doc holds
 * everything the journal does, before `loaded` even settles (the SDK's commands rely on that).
 *
 * Every update a bound doc emits (any origin but LOAD_ORIGIN: local writes, the relay's, snapshot fetches) is appended
 * to the journal before the emitting call returns (Node: writeSync), so a crash loses nothing the SDK reported logged.
 * `batch()` groups the records of several docs' updates with trailing records (the points checkpoint) into ONE append,
 * made when the batch ends; with a `gate` (the one the client's relay links send through), the batch's updates reach
 * the relay only after that append (lib/sdk SPEC SDK-26).
 */
export class JournalLog implements LocalLog {
  /** Journaled updates per doc name. */
  private readonly updates: Map<string, Uint8Array[]>;
  private readonly dirtySet: Set<string>;
  /** Bound docs by name: usually one; the list covers a doc reopened while its predecessor is still closing. */
  private readonly bound = new Map<string, Y.Doc[]>();
  private batchRecords: Uint8Array[] | null = null;

  constructor(
    private readonly journal: Journal,
    updates: Map<string, Uint8Array[]> = new Map(),
    dirty: Iterable<string> = [],
    private readonly gate: SendGate | null = null,
  ) {
    this.updates = updates;
    this.dirtySet = new Set(dirty);
  }

  bind(name: string, doc: Y.Doc): LocalBinding {
    const list = this.updates.get(name);
    if (list && list.length) {
      const merged = list.length === 1 ? list[0]! : Y.mergeUpdates(list);
      if (list.length > 1) this.updates.set(name, [merged]);
      applyHeldUpdate(doc, merged, LOAD_ORIGIN);
    }
    let docs = this.bound.get(name);
    if (!docs) this.bound.set(name, (docs = []));
    docs.push(doc);
    const onUpdate = (u: Uint8Array, origin: unknown) => {
      if (origin === LOAD_ORIGIN) return;
      let l = this.updates.get(name);
      if (!l) this.updates.set(name, (l = []));
      l.push(u);
      this.append(recUpdate(name, u));
    };
    doc.on('update', onUpdate);
    let bound = true;
    return {
      loaded: Promise.resolve(),
      whenStored: () => this.journal.stored(),
      unbind: () => {
        if (!bound) return;
        bound = false;
        doc.off('update', onUpdate);
        const left = (this.bound.get(name) ?? []).filter((d) => d !== doc);
        if (left.length) this.bound.set(name, left);
        else {
          this.bound.delete(name);
          // The doc holds exactly what was journaled for it (it loaded all of it, and journaled all it got since):
          // keep that as one update, so memory is the doc's size rather than its history's.
          if (!doc.isDestroyed) this.updates.set(name, [Y.encodeStateAsUpdate(doc)]);
        }
      },
    };
  }

  async dirty(): Promise<Set<string>> {
    return new Set(this.dirtySet);
  }

  async isDirty(name: string): Promise<boolean> {
    return this.dirtySet.has(name);
  }

  setDirty(name: string, dirty: boolean): Promise<void> {
    if (this.dirtySet.has(name) === dirty) return Promise.resolve();
    if (dirty) this.dirtySet.add(name);
    else this.dirtySet.delete(name);
    this.append(recSimple(dirty ? REC_DIRTY : REC_CLEAN, name));
    return this.journal.stored();
  }

  /** Whether the journal holds anything for `name`. */
  has(name: string): boolean {
    return (this.updates.get(name)?.length ?? 0) > 0;
  }

  /** Names of the docs the journal holds, optionally only those starting with `prefix`. */
  names(prefix = ''): string[] {
    return [...this.updates.keys()].filter((n) => n.startsWith(prefix) && this.has(n));
  }

  /** Runs `f`; the records of every update it causes, then `tail()`'s, are one journal append (one write). */
  batch<T>(f: () => T, tail: () => Uint8Array[] = () => []): T {
    if (this.batchRecords) {
      const out = f();
      this.batchRecords.push(...tail());
      return out;
    }
    return this.gate ? this.gate.hold(() => this.outerBatch(f, tail)) : this.outerBatch(f, tail);
  }

  private outerBatch<T>(f: () => T, tail: () => Uint8Array[]): T {
    this.batchRecords = [];
    let ok = false;
    try {
      const out = f();
      ok = true;
      return out;
    } finally {
      const recs = this.batchRecords;
      this.batchRecords = null;
      if (ok) recs.push(...tail());
      // Written even when `f` threw halfway: its updates are in the docs, so they must be in the journal too.
      this.journal.append(recs);
    }
  }

  /** The state as snapshot records (one update per doc, then the dirty marks): what a compaction writes. */
  snapshotRecords(): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const name of [...this.updates.keys()].sort()) {
      const open = this.bound.get(name);
      const list = this.updates.get(name)!;
      const u = open?.length && !open[open.length - 1]!.isDestroyed ? Y.encodeStateAsUpdate(open[open.length - 1]!) : list.length === 1 ? list[0]! : Y.mergeUpdates(list);
      this.updates.set(name, [u]);
      out.push(recUpdate(name, u));
    }
    for (const name of [...this.dirtySet].sort()) out.push(recSimple(REC_DIRTY, name));
    return out;
  }

  private append(rec: Uint8Array): void {
    if (this.batchRecords) this.batchRecords.push(rec);
    else this.journal.append([rec]);
  }
}
