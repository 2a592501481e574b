import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CairnError, type Sha256 } from '../../lib/domain/index';

/** Errors of a disk that is full or failing: the upload is not stored, and the client should retry later. */
const STORAGE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO', 'EROFS']);

function storageFailure(err: unknown): CairnError | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !STORAGE_ERRNOS.has(code)) return null;
  return new CairnError('TEMPORARILY_UNAVAILABLE', `the relay could not store the blob (${code}: its disk is full or failing); nothing was kept, retry later`, {
    reason: code,
  });
}

/**
 * Content-addressed blobs on disk: `<dataDir>/blobs/<first two hex>/<sha256>`. Uploads stream into `blobs/tmp`, are
 * hashed on the way, flushed to disk, and renamed into place only when the hash matches; so a blob path either does
 * not exist or holds exactly the bytes its name promises.
 */
export class DiskBlobStore {
  private readonly root: string;
  private readonly tmp: string;

  constructor(dataDir: string, readonly maxBytes: number) {
    this.root = join(dataDir, 'blobs');
    this.tmp = join(this.root, 'tmp');
  }

  pathFor(sha: Sha256): string {
    return join(this.root, sha.slice(0, 2), sha);
  }

  /** Size in bytes, or null when absent. */
  async size(sha: Sha256): Promise<number | null> {
    try {
      const s = await stat(this.pathFor(sha));
      return s.isFile() ? s.size : null;
    } catch {
      return null;
    }
  }

  openRead(sha: Sha256): ReadStream {
    return createReadStream(this.pathFor(sha));
  }

  /**
   * Streams `body` into the store under `sha`. Throws REQUEST_LIMIT_EXCEEDED past `maxBytes` and
   * INVALID_PARAMETER_VALUE on a hash mismatch; in both cases nothing is left behind.
   */
  async put(sha: Sha256, body: Readable): Promise<{ size: number }> {
    const { size } = await this.receive(body, sha);
    return { size };
  }

  /**
   * Streams `body` into the store under the sha256 of its bytes, computed on the way (one write: the REST door's
   * artifact PUT names no hash). Same limits and clean-up as `put`.
   */
  async putUnnamed(body: Readable): Promise<{ sha256: Sha256; size: number }> {
    return this.receive(body, null);
  }

  private async receive(body: Readable, sha: Sha256 | null): Promise<{ sha256: Sha256; size: number }> {
    await mkdir(this.tmp, { recursive: true });
    const tmpPath = join(this.tmp, `${sha ?? 'unnamed'}.${randomBytes(6).toString('hex')}.part`);
    try {
      const got = await receiveToFile(body, tmpPath, this.maxBytes);
      if (sha !== null && got.sha256 !== sha) {
        throw new CairnError('INVALID_PARAMETER_VALUE', `body sha256 ${got.sha256} does not match the url's ${sha}`, {
          expected: sha,
          actual: got.sha256,
        });
      }
      await mkdir(join(this.root, got.sha256.slice(0, 2)), { recursive: true });
      await rename(tmpPath, this.pathFor(got.sha256));
      return got;
    } catch (err) {
      await unlink(tmpPath).catch(() => undefined);
      throw storageFailure(err) ?? err;
    }
  }
}

/**
 * Streams `body` into `file` (created or replaced), hashing on the way and flushed to disk before it resolves: the one
 * way bytes from a client reach the relay's disk (blob uploads, the REST door's multipart parts). Past `maxBytes` it
 * throws REQUEST_LIMIT_EXCEEDED, a full or failing disk TEMPORARILY_UNAVAILABLE; on any throw `file` is removed. The
 * request is never destroyed by a refusal, so the answer can still go out on its socket.
 */
export async function receiveToFile(body: Readable, file: string, maxBytes: number): Promise<{ sha256: Sha256; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > maxBytes) {
        done(new CairnError('REQUEST_LIMIT_EXCEEDED', `blob exceeds the limit of ${maxBytes} bytes`, { max_bytes: maxBytes }));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  // The body is piped through a PassThrough rather than handed to pipeline(): on refusal pipeline would destroy the
  // request, and with it the socket the 413/400 answer must go out on.
  const source = new PassThrough();
  const onBodyError = (err: Error) => source.destroy(err);
  const onBodyClose = () => {
    if (!body.readableEnded) source.destroy(new Error('upload aborted by the client'));
  };
  body.on('error', onBodyError);
  body.on('close', onBodyClose);
  body.pipe(source);
  try {
    // flush: fsync before close, so a later rename never publishes bytes that are not on disk yet.
    await pipeline(source, meter, createWriteStream(file, { flush: true }));
    return { sha256: hash.digest('hex') as Sha256, size };
  } catch (err) {
    body.unpipe(source);
    await unlink(file).catch(() => undefined);
    throw storageFailure(err) ?? err;
  } finally {
    body.off('error', onBodyError);
    body.off('close', onBodyClose);
  }
}
