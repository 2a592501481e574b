/**
 * Holds back the local updates of every RoomConnection that shares it (lib/sdk SPEC SDK-26). While held, a doc's
 * update is queued here instead of going on the socket; when the last hold ends, the queue goes out in the order the
 * updates were made. The SDK's journal log (lib/sdk journal-log.ts) holds it across a batch: a chunk flush's updates
 * and its points checkpoint are ONE journal append made at the batch's end, and a chunk on the wire before that
 * append would be sent a second time after a crash in between (the journal replays the points as never chunked).
 */
export class SendGate {
  private holds = 0;
  private readonly queued: (() => void)[] = [];

  /** Runs `f` with sends held; what was queued meanwhile goes out after it, even when `f` throws. */
  hold<T>(f: () => T): T {
    this.holds++;
    try {
      return f();
    } finally {
      if (--this.holds === 0) this.release();
    }
  }

  /** Sends now, or after the hold in progress. */
  send(s: () => void): void {
    if (this.holds > 0) this.queued.push(s);
    else s();
  }

  private release(): void {
    // A send may start another hold (it never does today): whatever that one queues waits for it.
    while (this.holds === 0 && this.queued.length > 0) this.queued.shift()!();
  }
}
