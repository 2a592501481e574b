import { releaseProxy } from 'comlink';

/**
 * Change signals from the worker to the UI. A topic names a query ("runs:<expId>"); when its data may have changed,
 * every subscriber gets `cb(topic)` once per debounce window and re-queries. Only the signal crosses the worker
 * boundary, never the data, so a burst of 1000 remote updates costs the UI one re-query.
 */

/** Coalescing window: long enough to fold a sync burst into one re-query, short enough to feel live. */
export const SIGNAL_DEBOUNCE_MS = 60;
/** Topics that are events, not queries: "everything may have changed" must not fire them (a reload is not a re-query). */
const EVENT_TOPICS = new Set(['reload']);

export type TopicCallback = (topic: string) => unknown;

export class Topics {
  private nextId = 1;
  private readonly subs = new Map<number, { topic: string; cb: TopicCallback }>();
  private pending = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private all = false;

  constructor(private readonly debounceMs: number = SIGNAL_DEBOUNCE_MS) {}

  add(topic: string, cb: TopicCallback): number {
    const id = this.nextId++;
    this.subs.set(id, { topic, cb });
    return id;
  }

  has(id: number): boolean {
    return this.subs.has(id);
  }

  remove(id: number): void {
    const s = this.subs.get(id);
    if (!s) return;
    this.subs.delete(id);
    release(s.cb);
  }

  signal(topic: string): void {
    this.pending.add(topic);
    this.schedule();
  }

  /** Everything may have changed (workspace switched). */
  signalAll(): void {
    this.all = true;
    this.schedule();
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const s of this.subs.values()) release(s.cb);
    this.subs.clear();
    this.pending.clear();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.deliver(), this.debounceMs);
  }

  private deliver(): void {
    this.timer = null;
    const pending = this.pending;
    const all = this.all;
    this.pending = new Set();
    this.all = false;
    for (const { topic, cb } of [...this.subs.values()]) {
      if (!pending.has(topic) && (!all || EVENT_TOPICS.has(topic))) continue;
      try {
        // A comlink proxy returns a promise; a closed page rejects it, which is not this worker's problem.
        const r = cb(topic) as { catch?: (f: () => void) => void } | undefined;
        r?.catch?.(() => {});
      } catch {
        // same: a dead subscriber must not stop the others
      }
    }
  }
}

/** Lets go of a comlink proxy's MessagePort (no-op for plain functions in tests). */
function release(cb: TopicCallback): void {
  const rel = (cb as unknown as Record<symbol, unknown>)[releaseProxy];
  if (typeof rel === 'function') {
    try {
      (rel as () => void)();
    } catch {
      // already released
    }
  }
}
