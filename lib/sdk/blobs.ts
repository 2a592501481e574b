import { CairnError, errorFromResponse, invalid, sha256Hex } from '../domain';
import type { ResolvedOptions } from './env';
import { isNode } from './env';
import { REC_BLOB, REC_BLOB_DONE, recSimple, type Journal } from './journal';

/** Upload attempts back off up to this long while the relay is away. */
const MAX_RETRY_MS = 5_000;

/** The bytes of an artifact argument: a Uint8Array, a Blob, or (Node only) a file path. */
export async function toBytes(data: Uint8Array | Blob | string): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  if (typeof data === 'string') {
    if (!isNode()) throw invalid('A file path can only be logged from Node; pass a Uint8Array or Blob in the browser');
    const fs = await import('node:fs/promises');
    return new Uint8Array(await fs.readFile(data));
  }
  throw invalid('logArtifact takes a Uint8Array, a Blob or a file path');
}

/**
 * Artifact bytes: hashed, kept in the journal's blob folder, then PUT to the relay's blob store. A blob is recorded
 * as pending in the journal before the artifact reference exists, so a crash or an offline relay never leaves a
 * reference whose bytes are nowhere.
 */
export class BlobUploader {
  private waiting = new Set<string>();
  private running: Promise<void> | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  /** The relay refused an upload (4xx): reported by the next drain(); the one after tries again. */
  private refused: CairnError | null = null;
  private delay = 200;

  constructor(private readonly opts: ResolvedOptions, private readonly journal: Journal) {}

  pending(): string[] {
    return [...this.waiting];
  }

  async store(data: Uint8Array | Blob | string): Promise<{ sha256: string; size: number }> {
    const bytes = await toBytes(data);
    const sha256 = await sha256Hex(bytes);
    await this.journal.putBlob(sha256, bytes);
    this.journal.append([recSimple(REC_BLOB, sha256)]);
    this.resume(sha256);
    return { sha256, size: bytes.length };
  }

  resume(sha256: string): void {
    this.waiting.add(sha256);
    this.kick();
  }

  /** Resolves when every stored blob has reached the relay (immediately when there is no relay). */
  async drain(signal?: AbortSignal): Promise<void> {
    while (this.opts.relay && this.waiting.size) {
      if (signal?.aborted) throw new CairnError('DEADLINE_EXCEEDED', 'flush timed out while uploading artifacts');
      this.kick();
      await this.running;
      if (this.refused) throw this.refused;
      if (this.waiting.size) await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * The bytes stored under `sha256`: this client's journal copy when it stored them, else the relay's
   * (`GET /blobs/<sha256>`), checked against the sha (DATA_LOSS when they differ).
   */
  async read(sha256: string): Promise<Uint8Array> {
    const local = await this.journal.getBlob(sha256);
    if (local) return local;
    if (!this.opts.relay) throw new CairnError('RESOURCE_DOES_NOT_EXIST', `Blob ${sha256} is not in this client's journal and no relay is configured`, { sha256 });
    const res = await this.fetchRelay(`/blobs/${sha256}`);
    if (!res.ok) throw await errorFromResponse(res, `blob ${sha256}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if ((await sha256Hex(bytes)) !== sha256) throw new CairnError('DATA_LOSS', `The relay's blob ${sha256} does not hash to its name`, { sha256 });
    return bytes;
  }

  fetchRelay(path: string, init: RequestInit = {}): Promise<Response> {
    if (!this.opts.relay) throw new CairnError('INVALID_STATE', 'no relay configured');
    const headers = new Headers(init.headers);
    if (this.opts.token) headers.set('authorization', `Bearer ${this.opts.token}`);
    return fetch(`${this.opts.relay.http}${path}`, { ...init, headers });
  }

  /** Stops background retries (the client is closing; pending blobs stay in the journal for next time). */
  stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.waiting.clear();
  }

  /** Starts an upload pass unless one runs; a pass that leaves blobs behind (relay away) schedules the next one
   * with backoff, so offline artifacts reach the relay without any call, as metrics do. */
  private kick(): void {
    if (!this.opts.relay || this.running || this.waiting.size === 0) return;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.refused = null;
    this.running = this.uploadAll()
      .catch((e: unknown) => {
        // Never an unhandled rejection: a refusal is reported by drain() (flush), not by crashing the script.
        this.refused = e instanceof CairnError ? e : new CairnError('INTERNAL_ERROR', String(e));
      })
      .finally(() => {
        this.running = null;
        if (this.waiting.size && !this.refused) {
          this.retry = setTimeout(() => this.kick(), this.delay);
          (this.retry as { unref?: () => void }).unref?.();
        }
      });
  }

  private async uploadAll(): Promise<void> {
    while (this.waiting.size) {
      const sha = this.waiting.values().next().value as string;
      try {
        const bytes = await this.journal.getBlob(sha);
        if (!bytes) {
          // The bytes are gone locally (data dir wiped): nothing to send, and nothing to retry forever.
          this.waiting.delete(sha);
          continue;
        }
        const res = await this.fetchRelay(`/blobs/${sha}`, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/octet-stream' } });
        if (!res.ok && res.status < 500) {
          const err = await errorFromResponse(res, `blob upload of ${sha} refused`);
          throw new CairnError(err.code, err.message, { ...err.details, sha256: sha });
        }
        if (!res.ok) throw new Error(`relay answered ${res.status}`);
        this.waiting.delete(sha);
        this.journal.append([recSimple(REC_BLOB_DONE, sha)]);
        this.delay = 200;
      } catch (e) {
        if (e instanceof CairnError) throw e;
        this.delay = Math.min(this.delay * 2, MAX_RETRY_MS);
        return;
      }
    }
  }
}
