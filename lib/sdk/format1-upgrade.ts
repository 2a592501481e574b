import * as Y from 'yjs';
import { CairnError } from '../domain';
import * as doc from '../doc';
import type { DocHandle } from '../engine';
import { runsToConvert } from './format1';

/** While a format-1 upgrade waits for the relay's state vector, it is asked again this often. */
export const UPGRADE_RETRY_MS = 3_000;
/** Format-1 runs are converted onto the relay's run docs this many at a time. */
const UPGRADE_CONCURRENCY = 8;

/** What the upgrade needs of the client (client.ts). */
export interface UpgradeHost {
  /** The workspace doc, held locally (not on the network) while the upgrade is pending. */
  ws(): Y.Doc;
  /** The relay's state vector of the workspace doc, within `timeoutMs`; null without a relay. */
  stateVector: ((timeoutMs: number) => Promise<Uint8Array>) | null;
  /** A run doc held for the conversion (from the relay when there is one), or null when it could not be fetched. */
  loadRun(runId: string): Promise<DocHandle | null>;
  closed(): boolean;
  /** The format-1 runs were converted: points that waited for their run docs can go. */
  converted(): void;
  /** A later attempt (retry timer, flush) finished the upgrade: the workspace doc goes on the network. */
  finished(): void;
}

/**
 * SDK-20 step 2 (format1.ts holds the rules): the workspace doc's format-1 runs are converted before it goes on the
 * network, with the relay's workspace state vector saying which runs hold something it lacks (DOC-U3). Each of those
 * is written onto the relay's own run doc (fetched first, so this client's later writes come after the relay's
 * conversion), only what is ahead, and marked dirty (pushed, SDK-19). Without a relay every run is converted. When
 * the relay cannot be asked (or a run doc not fetched), the attempt ends without converting, and is retried every
 * UPGRADE_RETRY_MS and by each flush. Its state is the client's `pending` flag, one attempt at a time, and the timer.
 */
export class Format1Upgrade {
  private waiting = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt: Promise<boolean> | null = null;

  constructor(private readonly h: UpgradeHost) {}

  /** True while format-1 runs wait for their conversion (the workspace doc stays off the network). */
  get pending(): boolean {
    return this.waiting;
  }

  /** At connect: marks the upgrade pending when the workspace doc holds format-1 runs, and tries it once. A refused
   * token rejects (connect()'s answer, SDK-6); true when nothing is left to upgrade. */
  async begin(timeoutMs: number): Promise<boolean> {
    if (!doc.hasFormat1Runs(this.h.ws())) return true;
    this.waiting = true;
    return this.tryOnce(timeoutMs);
  }

  /** One attempt at a time (the retry timer's, a flush's); when it finishes the upgrade, `finished()` is called. */
  once(timeoutMs: number): Promise<boolean> {
    this.attempt ??= this.tryOnce(timeoutMs)
      .catch(() => false)
      .then((done) => {
        if (done && !this.h.closed()) this.h.finished();
        return done;
      })
      .finally(() => {
        this.attempt = null;
      });
    return this.attempt;
  }

  /** While the upgrade waits for the relay, it is tried again every UPGRADE_RETRY_MS. */
  retryLater(timeoutMs: number): void {
    if (this.timer || this.h.closed() || !this.waiting) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.once(timeoutMs).then((done) => {
        if (!done) this.retryLater(timeoutMs);
      });
    }, UPGRADE_RETRY_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /**
   * Until the upgrade is done (flush: the workspace doc is part of "everything"), trying at most until `deadline`;
   * DEADLINE_EXCEEDED past it. `live` throws when the client closed meanwhile.
   */
  async settle(deadline: number | undefined, timeoutMs: number, live: () => void): Promise<void> {
    while (this.waiting) {
      if (await this.once(timeoutMs)) return;
      const left = deadline === undefined ? UPGRADE_RETRY_MS : Math.min(UPGRADE_RETRY_MS, deadline - Date.now());
      if (left <= 0) throw new CairnError('DEADLINE_EXCEEDED', 'flush timed out: the relay could not be asked to upgrade this journal’s format-1 runs');
      await new Promise((r) => setTimeout(r, left));
      live();
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async tryOnce(timeoutMs: number): Promise<boolean> {
    if (!this.waiting || this.h.closed()) return !this.waiting;
    let sv: Uint8Array | null = null;
    if (this.h.stateVector) {
      sv = await this.h.stateVector(timeoutMs).catch((e: unknown) => {
        // A refused token is connect()'s answer (SDK-6), as the workspace socket would have given it.
        if (e instanceof CairnError && e.code === 'UNAUTHENTICATED') throw e;
        return null;
      });
      try {
        if (sv) Y.decodeStateVector(sv);
      } catch {
        sv = null;
      }
      if (!sv || this.h.closed()) return false;
    }
    const ids = runsToConvert(this.h.ws(), sv);
    let ok = true;
    const queue = ids.slice();
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && ok; id = queue.shift()) {
        const run = await this.h.loadRun(id);
        if (!run) {
          ok = false;
          return;
        }
        try {
          if (this.h.closed()) return;
          doc.convertFormat1Run(this.h.ws(), id, run.doc, sv ?? undefined);
        } finally {
          run.release();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPGRADE_CONCURRENCY, Math.max(1, ids.length)) }, worker));
    if (!ok || this.h.closed()) return false;
    doc.dropFormat1Runs(this.h.ws());
    this.waiting = false;
    this.h.converted();
    return true;
  }
}
