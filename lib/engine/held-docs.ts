import type * as Y from 'yjs';
import type { DocHandle } from './doc-engine';

/**
 * The docs a host holds right now, by key (a run id): what a command context's `runDoc(id)` resolves, and only while
 * some handle holds it (the engine may close a released doc and open a new one under the same name later).
 * One home for the worker's DocHost and the SDK's client.
 */
export class HeldDocs {
  private readonly holds = new Map<string, { doc: Y.Doc; refs: number }>();

  /** Counts `h` as a hold of `key`; the returned handle's `release` ends it (once) and releases `h`. */
  hold(key: string, h: DocHandle): DocHandle {
    const cur = this.holds.get(key);
    if (cur && cur.doc === h.doc) cur.refs++;
    else this.holds.set(key, { doc: h.doc, refs: 1 });
    let released = false;
    return {
      ...h,
      release: () => {
        if (released) return;
        released = true;
        const now = this.holds.get(key);
        if (now && now.doc === h.doc && --now.refs === 0) this.holds.delete(key);
        h.release();
      },
    };
  }

  doc(key: string): Y.Doc | undefined {
    return this.holds.get(key)?.doc;
  }

  has(key: string): boolean {
    return this.holds.has(key);
  }

  /** [key, doc] of every doc held now. */
  entries(): [string, Y.Doc][] {
    return [...this.holds].map(([k, v]) => [k, v.doc]);
  }
}
