import type { DocHandle } from '../engine';
import { REC_CHECKPOINT, recPoints, recSimple, type Journal, type PendingPoints } from './journal';
import type { JournalLog } from './journal-log';
import { PointBuffer } from './point-buffer';

/** Points wait at most this long before becoming a chunk: keeps live charts live without a Yjs item per point. */
export const FLUSH_INTERVAL_MS = 200;
/** ...or until this many are pending, so memory stays bounded under fast logging. */
export const MAX_PENDING_POINTS = 100_000;

/** What the chunker needs of the client (client.ts). */
export interface ChunkerHost {
  /** Whether `runId`'s doc reads as a run here: only then can its points become chunks (DOC-M5). */
  readable(runId: string): boolean;
  /** A hold on the run's doc while its points wait (a replayed run's doc may still have to come from the relay). */
  holdRun(runId: string): DocHandle;
  /** Called once the held doc of a run that did not read as a run has synced (or gave up). */
  whenReadable(hold: DocHandle, then: () => void): void;
  /** Appends a run's points to its metrics doc as chunks (called inside the flush's journal batch). */
  appendChunks(runId: string, cols: PointBuffer['cols']): void;
  closed(): boolean;
  /** After a flush that made chunks: the journal may want compacting. */
  flushed(): void;
}

/** Points of one run waiting to become chunks, with a hold on its run doc (appending needs it, DOC-M5). */
interface Pending {
  buf: PointBuffer;
  hold: DocHandle;
}

/**
 * Points from accepted to chunked (SDK-4, SDK-26). `add` journals a call's points before it returns, numbered by the
 * journal sequence; they wait here, per run, until FLUSH_INTERVAL_MS passed or MAX_PENDING_POINTS are pending, then
 * `flush` turns them into chunks. The chunks' updates and a checkpoint (every point up to this sequence is a chunk)
 * are one journal append, and the relay gets the updates only after it (JournalLog's send gate): a crash anywhere leaves the
 * points either chunked and checkpointed, or replayed as points by the next client on that data dir — never both.
 */
export class PointChunker {
  private readonly pending = new Map<string, Pending>();
  private count = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    /** The journal's last sequence number (a replayed journal's `lastSeq`). */
    private last: number,
    private readonly journal: Journal,
    private readonly log: JournalLog,
    private readonly h: ChunkerHost,
  ) {}

  /** The journal's last sequence number: a compaction's checkpoint. */
  get seq(): number {
    return this.last;
  }

  /** Points waiting to become chunks. */
  get size(): number {
    return this.count;
  }

  has(runId: string): boolean {
    return this.pending.has(runId);
  }

  /** Journals validated points (written before this returns, SDK-4) and queues them; `due()` then flushes or waits. */
  add(runId: string, keys: string[], values: number[], steps: number[], timestamps: number[]): void {
    const p: PendingPoints = { seq: ++this.last, runId, keys, values, steps, timestamps };
    this.journal.append([recPoints(p)]);
    this.queue(p);
  }

  /** Points a journal replayed (accepted before a crash, never chunked): queued again under their old numbers. */
  replayed(p: PendingPoints): void {
    this.queue(p);
  }

  /** Flushes now when too many points wait, else within FLUSH_INTERVAL_MS. */
  due(): void {
    if (this.count >= MAX_PENDING_POINTS) this.flush();
    else this.schedule();
  }

  /** Within FLUSH_INTERVAL_MS, when anything waits. */
  schedule(): void {
    if (this.count && !this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Turns pending points into chunks; their updates, the summaries' and the checkpoint are one journal append. */
  flush(): void {
    this.stop();
    if (this.count === 0) return;
    const done: Pending[] = [];
    // A run whose doc does not read as a run here yet (a format-1 run waiting for its upgrade, a run doc still
    // syncing) keeps its points: they are journaled again after the checkpoint, under new sequence numbers.
    const waiting = [...this.pending].filter(([runId]) => !this.h.readable(runId));
    if (waiting.length === this.pending.size) return;
    const wait = new Set(waiting.map(([id]) => id));
    // SDK-26: the batch's journal append is made when it ends, and the relay gets its updates after it (the log's
    // gate). Sent as each chunk was made, a crash before that append left chunks on the relay that the journal
    // replays as points never chunked: chunked again on restart, every point twice.
    this.log.batch(
      () => {
        for (const [runId, p] of this.pending) {
          if (wait.has(runId)) continue;
          this.h.appendChunks(runId, p.buf.cols);
          this.pending.delete(runId);
          done.push(p);
        }
        this.count = waiting.reduce((n, [, p]) => n + p.buf.count, 0);
      },
      () => {
        const recs = [recSimple(REC_CHECKPOINT, this.last)];
        for (const [runId, p] of waiting) for (const pts of pointsOf(runId, p.buf, () => ++this.last)) recs.push(recPoints(pts));
        return recs;
      },
    );
    for (const p of done) p.hold.release();
    this.h.flushed();
  }

  /** Stops the timer (the client closes; the points stay in the journal). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private queue(p: PendingPoints): void {
    let q = this.pending.get(p.runId);
    if (!q) {
      const hold = this.h.holdRun(p.runId);
      this.pending.set(p.runId, (q = { buf: new PointBuffer(), hold }));
      // Replayed points of a run this journal does not hold readable: flushed once its doc arrives.
      if (!this.h.readable(p.runId)) this.h.whenReadable(hold, () => !this.h.closed() && this.schedule());
    }
    for (let i = 0; i < p.keys.length; i++) q.buf.push(p.keys[i]!, p.steps[i]!, p.timestamps[i]!, p.values[i]!);
    this.count += p.keys.length;
  }
}

/** A run's pending points as journal points records, one per key, numbered by `nextSeq`. */
function pointsOf(runId: string, buf: PointBuffer, nextSeq: () => number): PendingPoints[] {
  const out: PendingPoints[] = [];
  for (const [key, c] of buf.cols) {
    const n = c.length;
    out.push({
      seq: nextSeq(),
      runId,
      keys: new Array<string>(n).fill(key),
      values: Array.from(c.values.subarray(0, n)),
      steps: Array.from(c.steps.subarray(0, n)),
      timestamps: Array.from(c.timestamps.subarray(0, n)),
    });
  }
  return out;
}
