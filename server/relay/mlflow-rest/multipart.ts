import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { CairnError, invalid, notFound, type Sha256 } from '../../../lib/domain/index';
import { receiveToFile, type DiskBlobStore } from '../blob-store';
import { statusError } from './wire';

/**
 * Multipart uploads on disk (SPEC REST-18): one folder per upload, `<dir>/mpu-<upload id>/`, holding `upload.json`
 * (workspace, run, path, part count, creation time) and one file per part received, `part-<n>.<sha256>` (the part's
 * ETag is in its name, so a part file is either absent or complete: it is streamed into `*.tmp` and renamed). Nothing
 * of an upload lives only in memory, so a relay restart between the parts and `mpu/complete` loses nothing; complete
 * and abort delete the folder; uploads older than UPLOAD_TTL_MS are swept at start and then at most every
 * SWEEP_EVERY_MS (on a create).
 */

/** The most parts one upload may have (S3's limit, which MLflow's client respects). */
export const MAX_PARTS = 10_000;
/** Uploads neither completed nor aborted are deleted after this long (a client that gave up leaves no bytes behind). */
export const UPLOAD_TTL_MS = 24 * 3600_000;
/** How often stale uploads are looked for besides at start (a long-running relay must not keep them for weeks). */
const SWEEP_EVERY_MS = 3600_000;
const UPLOAD_ID = /^[0-9a-f]{32}$/;
const PART_FILE = /^part-(\d+)\.([0-9a-f]{64})$/;
const FOLDER = /^mpu-([0-9a-f]{32})$/;

const UploadMetaSchema = z.object({
  v: z.literal(1),
  ws: z.string(),
  actor: z.string(),
  runId: z.string(),
  path: z.string(),
  numParts: z.number().int().min(1).max(MAX_PARTS),
  createdAt: z.number(),
});

/** What `mpu/create` recorded about an upload. */
export type UploadMeta = Omit<z.infer<typeof UploadMetaSchema>, 'v'>;

/** One part on disk. */
export interface StoredPart {
  sha256: Sha256;
  size: number;
  file: string;
}

/** REST-18's 413, in the words of a single artifact PUT. */
export function tooLarge(what: string, max: number): CairnError {
  return statusError('REQUEST_LIMIT_EXCEEDED', `${what} exceeds the limit of ${max} bytes`, 413);
}

/** The multipart uploads in progress, all of their state in `dir` (on the blob store's disk). */
export class MultipartUploads {
  /** When the last sweep started (0: never). */
  private sweptAt = 0;

  constructor(
    private readonly dir: string,
    private readonly blobs: DiskBlobStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Sweeps stale uploads when none was swept for SWEEP_EVERY_MS: at the relay's start and then at most hourly, on
   * the next create (no timer: nothing to stop at shutdown, and a relay that takes no uploads has none to sweep).
   */
  sweepSoon(): void {
    if (this.now() - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = this.now();
    void this.sweep().catch(() => undefined);
  }

  private folder(id: string): string {
    return join(this.dir, `mpu-${id}`);
  }

  /** A new upload: its folder and `upload.json` on disk (written whole, then renamed), its 128-bit random id. */
  async create(meta: Omit<UploadMeta, 'createdAt'>): Promise<string> {
    this.sweepSoon();
    const id = randomBytes(16).toString('hex');
    const folder = this.folder(id);
    await mkdir(folder, { recursive: true });
    const body = JSON.stringify({ v: 1, ...meta, createdAt: this.now() });
    await writeFile(join(folder, 'upload.json.tmp'), body, { flush: true });
    await rename(join(folder, 'upload.json.tmp'), join(folder, 'upload.json'));
    return id;
  }

  /** The upload's record, or null when there is none (never created, completed, aborted, swept or expired). */
  async meta(id: string): Promise<UploadMeta | null> {
    if (!UPLOAD_ID.test(id)) return null;
    let text: string;
    try {
      text = await readFile(join(this.folder(id), 'upload.json'), 'utf8');
    } catch {
      return null;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return null;
    }
    const m = UploadMetaSchema.safeParse(raw);
    if (!m.success || this.now() - m.data.createdAt > UPLOAD_TTL_MS) return null;
    const { v: _v, ...meta } = m.data;
    return meta;
  }

  /** The parts received so far, by part number (a part sent twice: the last one received). */
  async parts(id: string): Promise<Map<number, StoredPart>> {
    const folder = this.folder(id);
    const out = new Map<number, StoredPart & { mtime: number }>();
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      return out;
    }
    for (const name of names) {
      const m = PART_FILE.exec(name);
      if (!m) continue;
      const file = join(folder, name);
      const s = await stat(file).catch(() => null);
      if (!s) continue;
      const n = Number(m[1]);
      const prev = out.get(n);
      // Two PUTs of one part racing leave two files for a moment: the later one is the part.
      if (!prev || s.mtimeMs >= prev.mtime) out.set(n, { sha256: m[2] as Sha256, size: s.size, file, mtime: s.mtimeMs });
    }
    return out;
  }

  /**
   * Part `n` of the upload streamed to disk (never buffered whole), hashed on the way; its ETag is the sha256. Over the
   * blob limit, alone or with the other parts received, it is refused with 413 and nothing of it is kept.
   */
  async putPart(id: string, up: UploadMeta, n: number, body: Readable, declared = NaN): Promise<StoredPart> {
    if (!Number.isSafeInteger(n) || n < 1 || n > up.numParts) throw invalid(`Part number must be an integer from 1 to ${up.numParts}`);
    const max = this.blobs.maxBytes;
    let others = 0;
    for (const [k, p] of await this.parts(id)) if (k !== n) others += p.size;
    const room = max - others;
    const over = () => (others === 0 ? tooLarge('part', max) : tooLarge(`the upload (${others} bytes in its other parts, and this part)`, max));
    // A Content-Length past the room is refused before a byte is stored. Parts sent side by side (MLflow's client
    // uploads several at once) each see only the parts stored before them: complete checks the total again.
    if (declared > room) throw over();
    const folder = this.folder(id);
    const tmp = join(folder, `part-${n}.${randomBytes(6).toString('hex')}.tmp`);
    let got: { sha256: Sha256; size: number };
    try {
      got = await receiveToFile(body, tmp, room);
    } catch (err) {
      if (err instanceof CairnError && err.code === 'REQUEST_LIMIT_EXCEEDED') throw over();
      throw err;
    }
    // Aborted (or swept) while the part was on its way: nothing may be left in a folder that is gone.
    if (!(await this.meta(id))) {
      await rm(tmp, { force: true });
      throw notFound(`No multipart upload with id ${id}`);
    }
    const file = join(folder, `part-${n}.${got.sha256}`);
    await rename(tmp, file);
    // The part sent again with other bytes replaces the earlier one.
    for (const name of await readdir(folder)) {
      const m = PART_FILE.exec(name);
      if (m && Number(m[1]) === n && m[2] !== got.sha256) await rm(join(folder, name), { force: true });
    }
    return { ...got, file };
  }

  /** The parts' bytes in part order, one after the other, read from disk as they are consumed. */
  joined(parts: StoredPart[]): Readable {
    return Readable.from(
      (async function* () {
        for (const p of parts) yield* createReadStream(p.file);
      })(),
      { objectMode: false },
    );
  }

  /** The upload's folder, parts and all, deleted (complete, abort, sweep). */
  async remove(id: string): Promise<void> {
    if (UPLOAD_ID.test(id)) await rm(this.folder(id), { recursive: true, force: true });
  }

  /** Deletes every upload older than UPLOAD_TTL_MS, and folders without a readable record older than that too. */
  async sweep(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const m = FOLDER.exec(name);
      if (!m) continue;
      if (await this.meta(m[1]!)) continue;
      // No valid record: expired, unreadable, or a create cut short before upload.json was renamed into place (then
      // judged by the folder's age, so a create in progress is not swept from under itself).
      const hasRecord = await stat(join(this.dir, name, 'upload.json')).then(() => true, () => false);
      const s = await stat(join(this.dir, name)).catch(() => null);
      if (!hasRecord && s && this.now() - s.mtimeMs <= UPLOAD_TTL_MS) continue;
      await rm(join(this.dir, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }
}
