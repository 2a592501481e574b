import * as Comlink from 'comlink';
import type * as Y from 'yjs';
import { z } from 'zod';
import * as doc from '../lib/doc';
import { ArtifactPathSchema, CairnError, ExperimentIdSchema, RunIdSchema, Sha256Schema, asRunId, invalid, parseInput, type ArtifactRef } from '../lib/domain';
import type { DocHost } from '../lib/sync';
import { Sha256Stream } from './manage-sha256';
import type { ServiceCore } from './service-core';

/**
 * The data worker's functions for experiment and run management, run descriptions, artifacts
 * (components/run/SPEC.md, components/artifacts/SPEC.md). Blob bytes come from the relay (`GET /blobs/<sha256>`,
 * carrying the workspace token as a bearer header, as lib/relay-client does); uploads go there too.
 */

/** A text viewer asks for at most this much at once (the page's "load more" asks for more): ART-4. */
const MAX_HEAD_BYTES = 8 * 1024 * 1024;
/** A viewer that needs the whole file as one Blob (PDF, image) refuses beyond this; download it instead. */
const MAX_WHOLE_BYTES = 200 * 1024 * 1024;
/** Uploads are hashed in slices of this size: memory stays bounded by one slice whatever the file's size (ART-5). */
const HASH_SLICE_BYTES = 4 * 1024 * 1024;
/** Files up to this size are hashed by WebCrypto in one call (native, ~1 GB/s): holding 32 MB is fine. */
const ONE_SHOT_HASH_BYTES = 32 * 1024 * 1024;
/** Longest run list of "children" sent to the page (a sweep parent may have thousands). */
const MAX_CHILDREN = 500;

/** A run's parent and children as the experiment index knows them (RUNPAGE-2). */
export interface RunFamily {
  parent: { runId: string; runName: string } | null;
  children: { runId: string; runName: string; status: string }[];
  childCount: number;
}

/** Another person's caret in a run's description (RUNPAGE-N4). */
export interface NoteCursor {
  clientId: number;
  name: string;
  color: string;
  index: number;
}

export interface RunNoteView {
  text: string;
  cursors: NoteCursor[];
  /**
   * Grows with every change this worker saw to the run doc: a page ignores a view older than an edit it already
   * took in (a query answered just before its own edit landed would undo it on screen and move its caret).
   */
  version: number;
}

/** The text after an edit, with its version (RunNoteView.version). */
export interface RunNoteEdit {
  text: string;
  version: number;
}

export interface ArtifactHead {
  bytes: Uint8Array;
  /** The blob's whole size (bytes may be a prefix). */
  total: number;
  truncated: boolean;
}

export type UploadProgress = { phase: 'hashing' | 'uploading'; done: number; total: number };

const EditInput = z.object({
  before: z.string(),
  edit: z.object({ index: z.number().int().nonnegative(), deleteCount: z.number().int().nonnegative(), insert: z.string() }),
});
const UploadInput = z.object({ path: ArtifactPathSchema, mediaType: z.string().min(1).max(255) });

/** Awareness field that carries this client's caret: `{ runId, pos }` with `pos` a Yjs relative position (JSON). */
const CURSOR_FIELD = 'noteCursor';

/** The relay's base URL and auth headers for blob requests; INVALID_STATE for a local-only workspace. */
export function relayOf(h: DocHost): { base: string; headers: Record<string, string> } {
  const { relayUrl, token } = h.settings;
  if (!relayUrl) throw new CairnError('INVALID_STATE', 'Artifacts live on the relay, and this workspace has none (local only): set a relay in Settings.');
  return { base: relayUrl.replace(/\/+$/, ''), headers: token ? { authorization: `Bearer ${token}` } : {} };
}

/** `GET /blobs/<sha256>` on the workspace's relay; a missing blob is RESOURCE_DOES_NOT_EXIST (registry-api reads MLmodel files with it). */
export async function blobResponse(h: DocHost, sha: string): Promise<Response> {
  const { base, headers } = relayOf(h);
  const res = await fetch(`${base}/blobs/${sha}`, { headers });
  if (res.status === 404) throw new CairnError('RESOURCE_DOES_NOT_EXIST', `The artifact's content (${sha.slice(0, 12)}…) is not on the relay yet.`);
  if (!res.ok) throw new CairnError('INTERNAL_ERROR', `The relay answered ${res.status} for blob ${sha.slice(0, 12)}…`);
  return res;
}

/** The first `max` bytes of a stream: reads chunk by chunk and cancels the rest, so a 2 GB log costs `max` (ART-4). */
export async function readHead(res: Response, max: number): Promise<{ bytes: Uint8Array; ended: boolean }> {
  const reader = res.body!.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  let ended = false;
  while (n < max) {
    const { done, value } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    parts.push(value);
    n += value.length;
  }
  if (!ended) await reader.cancel().catch(() => {});
  const out = new Uint8Array(Math.min(n, max));
  let at = 0;
  for (const p of parts) {
    const take = Math.min(p.length, out.length - at);
    out.set(p.subarray(0, take), at);
    at += take;
    if (at >= out.length) break;
  }
  return { bytes: out, ended: ended && n <= max };
}

/** sha256 of a Blob: WebCrypto at once for a small file (where it exists: secure contexts), else in slices. */
async function hashFile(file: Blob, onProgress: (done: number) => void): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle && file.size <= ONE_SHOT_HASH_BYTES) {
    const digest = new Uint8Array(await subtle.digest('SHA-256', await file.arrayBuffer()));
    onProgress(file.size);
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  const hash = new Sha256Stream();
  for (let at = 0; at < file.size; at += HASH_SLICE_BYTES) {
    hash.update(new Uint8Array(await file.slice(at, at + HASH_SLICE_BYTES).arrayBuffer()));
    onProgress(Math.min(file.size, at + HASH_SLICE_BYTES));
  }
  return hash.hex();
}

/** PUT with upload progress (fetch has none): XMLHttpRequest streams the File from disk. */
function putWithProgress(url: string, headers: Record<string, string>, body: Blob, onProgress: (done: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let message = `The relay refused the upload (${xhr.status})`;
      try {
        const j = JSON.parse(xhr.responseText) as { message?: unknown };
        if (typeof j.message === 'string') message += `: ${j.message}`;
      } catch {
        /* not the JSON error shape */
      }
      reject(new CairnError(xhr.status === 413 ? 'REQUEST_LIMIT_EXCEEDED' : xhr.status === 401 || xhr.status === 403 ? 'PERMISSION_DENIED' : 'INTERNAL_ERROR', message));
    };
    xhr.onerror = () => reject(new CairnError('INTERNAL_ERROR', 'The upload failed: the relay could not be reached.'));
    xhr.send(body);
  });
}

/** The caret of other clients in `runId`'s description, read from awareness (peers' input: validated, skipped if bad). */
function cursorsOf(h: DocHost, runId: string, d: Y.Doc): NoteCursor[] {
  const peers = new Map(h.peers().map((p) => [p.clientId, p]));
  const out: NoteCursor[] = [];
  for (const [clientId, state] of h.awareness.getStates()) {
    if (clientId === h.awareness.clientID) continue;
    const peer = peers.get(clientId);
    const c = (state as Record<string, unknown>)[CURSOR_FIELD];
    if (!peer || !c || typeof c !== 'object') continue;
    const { runId: r, pos } = c as { runId?: unknown; pos?: unknown };
    if (r !== runId) continue;
    const index = doc.noteCursorIndex(d, pos);
    if (index !== null) out.push({ clientId, name: peer.name, color: peer.color, index });
  }
  return out;
}

/** Versions of run docs' contents (RunNoteView.version): one counter for all docs, so a doc reopened later never goes back. */
let clock = 0;
const versions = new WeakMap<Y.Doc, number>();
function versionOf(d: Y.Doc): number {
  let v = versions.get(d);
  if (v === undefined) {
    versions.set(d, (v = ++clock));
    d.on('update', () => versions.set(d, ++clock));
  }
  return v;
}

export function manageApi(core: ServiceCore) {
  /** Runs `f` on a run doc held open meanwhile (loaded from IndexedDB, and from the relay when not held here). */
  async function withRunDoc<T>(runId: string, f: (h: DocHost, d: Y.Doc) => T): Promise<T> {
    const h = await core.ready();
    const handle = h.acquireRun(asRunId(runId));
    try {
      await handle.loaded;
      if (!doc.readRunRecord(handle.doc)) await handle.whenSynced(5_000);
      return f(h, handle.doc);
    } finally {
      handle.release();
    }
  }

  /** Run docs held live for an open description editor (RUNPAGE-N5), by lease id. */
  const leases = new Map<number, { host: DocHost; release: () => void }>();
  let nextLease = 1;

  return {
    /**
     * Holds a run doc live (a socket to its room) until `releaseRunLive(lease)`: a finished run is otherwise held as a
     * snapshot, and a description being edited together must see the others' keystrokes as they come.
     */
    async holdRunLive(runId: string): Promise<number> {
      const id = parseInput(RunIdSchema, runId, 'run_id');
      const h = await core.ready();
      const handle = h.acquireRun(asRunId(id), 'live');
      const lease = nextLease++;
      leases.set(lease, { host: h, release: handle.release });
      return lease;
    },
    async releaseRunLive(lease: number): Promise<void> {
      const l = leases.get(lease);
      leases.delete(lease);
      try {
        l?.release();
      } catch {
        /* the host was replaced (settings changed): its docs are gone already */
      }
    },

    /** RUNPAGE-2: the parent (linked by `mlflow.parentRunId`) and the children of a run, from its experiment's index. */
    async getRunFamily(runId: string, experimentId: string, parentRunId: string | null): Promise<RunFamily> {
      const id = parseInput(RunIdSchema, runId, 'run_id');
      // The parent id comes from a tag, which any peer can set to anything: a value that is no run id names no run.
      const parentId = parentRunId !== null && RunIdSchema.safeParse(parentRunId).success ? parentRunId : null;
      const h = await core.ready();
      const { active } = await core.rowsOf(h, parseInput(ExperimentIdSchema, experimentId, 'experiment_id'));
      const children = active.filter((r) => r.parentRunId === id);
      const parentRow = parentId ? (h.runs.row(parentId) ?? active.find((r) => r.runId === parentId)) : undefined;
      return {
        parent: parentId ? { runId: parentId, runName: parentRow?.runName ?? '' } : parentRunId === null ? null : { runId: String(parentRunId).slice(0, 64), runName: '' },
        children: children.slice(0, MAX_CHILDREN).map((r) => ({ runId: r.runId, runName: r.runName, status: r.status })),
        childCount: children.length,
      };
    },

    /** RUNPAGE-N1, N4: the description's text and where the others' carets are in it. */
    async getRunNote(runId: string): Promise<RunNoteView> {
      return withRunDoc(runId, (h, d) => {
        const text = doc.readRunNote(d);
        const tag = doc.readRun(runId, d)?.tags[doc.NOTE_TAG];
        return { text: text || (tag ?? ''), cursors: cursorsOf(h, runId, d), version: versionOf(d) };
      });
    },

    /** RUNPAGE-N2: one edit of the description made on `before`; resolves (stored) with the text after it. */
    async editRunNote(runId: string, before: string, edit: doc.TextEdit): Promise<RunNoteEdit> {
      const inp = parseInput(EditInput, { before, edit }, 'editRunNote');
      return core.writeRun(runId, (c) => {
        const text = doc.editRunNote(c, { runId, ...inp });
        return { text, version: versionOf(c.runDoc(runId)) };
      });
    },

    /** RUNPAGE-N6: undoes (`redo`: redoes) this client's last editing step of the description; peers' words stay. */
    async undoRunNote(runId: string, redo = false): Promise<RunNoteEdit & { changed: boolean }> {
      const r = parseInput(z.boolean(), redo, 'redo');
      return core.writeRun(runId, (c) => {
        const { text, changed } = doc.undoRunNote(c, { runId, redo: r });
        return { text, changed, version: versionOf(c.runDoc(runId)) };
      });
    },

    /** RUNPAGE-N4: publishes this client's caret in a description (a relative position), or clears it (null). */
    async setNoteCursor(runId: string | null, index: number): Promise<void> {
      if (runId === null) {
        (await core.ready()).awareness.setLocalStateField(CURSOR_FIELD, null);
        return;
      }
      const i = parseInput(z.number().int().nonnegative(), index, 'index');
      await withRunDoc(runId, (h, d) => h.awareness.setLocalStateField(CURSOR_FIELD, { runId, pos: doc.noteCursorAt(d, i) }));
    },

    /** ART-4: the first `maxBytes` of an artifact's content, and its whole size. */
    async readArtifactHead(sha256: string, maxBytes: number): Promise<ArtifactHead> {
      const sha = parseInput(Sha256Schema, sha256, 'sha256');
      const max = parseInput(z.number().int().positive().max(MAX_HEAD_BYTES), maxBytes, 'maxBytes');
      const res = await blobResponse(await core.ready(), sha);
      const total = Number(res.headers.get('content-length') ?? NaN);
      const { bytes, ended } = await readHead(res, max);
      const head = { bytes, total: Number.isFinite(total) ? total : bytes.length, truncated: !ended };
      return Comlink.transfer(head, [bytes.buffer]);
    },

    /** An artifact's whole content as a Blob of its media type (PDF and image viewers); refused past MAX_WHOLE_BYTES. */
    async readArtifactBlob(sha256: string, mediaType: string): Promise<Blob> {
      const sha = parseInput(Sha256Schema, sha256, 'sha256');
      const type = parseInput(z.string().max(255), mediaType, 'mediaType');
      const res = await blobResponse(await core.ready(), sha);
      const total = Number(res.headers.get('content-length') ?? 0);
      if (total > MAX_WHOLE_BYTES) {
        await res.body?.cancel().catch(() => {});
        throw new CairnError('REQUEST_LIMIT_EXCEEDED', `This file is too large to show here (${total} bytes); download it instead.`);
      }
      const blob = await res.blob();
      return new Blob([blob], { type });
    },

    /**
     * ART-5: uploads a file as an artifact of a run: hashed here in slices (never whole in memory), PUT to the relay's
     * blob store with progress, then recorded in the run doc (`logArtifactRef`). Resolves with the reference.
     */
    async uploadArtifact(runId: string, file: Blob, path: string, mediaType: string, onProgress?: (p: UploadProgress) => void): Promise<ArtifactRef> {
      const id = parseInput(RunIdSchema, runId, 'run_id');
      const inp = parseInput(UploadInput, { path, mediaType: mediaType || 'application/octet-stream' }, 'upload');
      if (!(file instanceof Blob)) throw invalid('upload: no file given');
      const h = await core.ready();
      const { base, headers } = relayOf(h);
      const report = (p: UploadProgress) => {
        try {
          onProgress?.(p);
        } catch {
          /* a page that went away does not stop the upload */
        }
      };
      const sha = await hashFile(file, (done) => report({ phase: 'hashing', done, total: file.size }));
      report({ phase: 'uploading', done: 0, total: file.size });
      await putWithProgress(`${base}/blobs/${sha}`, headers, file, (done) => report({ phase: 'uploading', done, total: file.size }));
      report({ phase: 'uploading', done: file.size, total: file.size });
      const ref = { path: inp.path, size: file.size, sha256: sha, mediaType: inp.mediaType, loggedAt: Date.now() } as ArtifactRef;
      await core.writeRun(id, (c) => doc.logArtifactRef(c, { runId: id, ref }));
      return ref;
    },
  };
}
