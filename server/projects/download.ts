/**
 * The one way `cairn run` fetches over http(s): a project zip, a `path` parameter's file. A timeout, errors that say
 * what was being fetched, and a byte limit counted as the body arrives (a missing or lying content-length cannot make
 * it read more). Files are streamed to disk, never held whole in memory.
 */
import { createWriteStream, rmSync } from 'node:fs';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CairnError, invalid } from '../../lib/domain';

/** A download that has not finished by then is abandoned. */
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

async function open(url: string, what: string, maxBytes: number): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (e) {
    throw new CairnError('TEMPORARILY_UNAVAILABLE', `Could not download ${what} ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) throw new CairnError(res.status === 404 ? 'RESOURCE_DOES_NOT_EXIST' : 'TEMPORARILY_UNAVAILABLE', `Downloading ${what} ${url} answered HTTP ${res.status}`);
  const len = Number(res.headers.get('content-length') ?? 0);
  if (len > maxBytes) throw invalid(`${what} ${url} is ${len} bytes; at most ${maxBytes} are accepted`);
  return res;
}

/** Counts bytes through the pipe and stops it past `maxBytes`. */
function limit(maxBytes: number, what: string, url: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(seen > maxBytes ? invalid(`${what} ${url} is over ${maxBytes} bytes`) : null, chunk);
    },
  });
}

/** The body of `url`, at most `maxBytes`. */
export async function downloadBytes(url: string, what: string, maxBytes: number): Promise<Uint8Array> {
  const res = await open(url, what, maxBytes);
  const parts: Buffer[] = [];
  const collect = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  await pipeline(Readable.fromWeb(res.body as never), limit(maxBytes, what, url), collect);
  return new Uint8Array(Buffer.concat(parts));
}

/** Streams the body of `url` into `dest` (at most `maxBytes`); a failed download leaves no partial file. */
export async function downloadToFile(url: string, dest: string, what: string, maxBytes: number): Promise<void> {
  const res = await open(url, what, maxBytes);
  try {
    await pipeline(Readable.fromWeb(res.body as never), limit(maxBytes, what, url), createWriteStream(dest));
  } catch (e) {
    rmSync(dest, { force: true });
    throw e instanceof CairnError ? e : new CairnError('TEMPORARILY_UNAVAILABLE', `Could not download ${what} ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
