'use client';

import * as Comlink from 'comlink';
import { useEffect, useState } from 'react';
import { CairnError } from '../domain/errors';
import type { ArtifactRef, WireError } from '../domain';
import type { TextEdit } from '../doc/text-edit';
import type { ArtifactHead, RunFamily, RunNoteEdit, RunNoteView, UploadProgress } from '../../workers/manage-api';
import type { QueryResult, Settings } from './contract';
import { useDataClient } from './DataProvider';
import { useCommandSet, useWorkerQuery } from './worker-query';

/** Hooks and contract types for experiment and run management, run descriptions and artifacts: each hook is a useWorkerQuery (worker-query.ts) over the worker's manage-api.ts. */

export { applyEdit, diffText, mapIndex, rebaseEdit } from '../doc/text-edit';
export type { TextEdit } from '../doc/text-edit';
export type { ArtifactHead, NoteCursor, RunFamily, RunNoteEdit, RunNoteView, UploadProgress } from '../../workers/manage-api';


/** A run's parent and children (from the experiment index: re-queried as its runs change). */
export function useRunFamily(runId: string, experimentId: string, parentRunId: string | null): QueryResult<RunFamily> {
  return useWorkerQuery(`run-family:${runId}:${experimentId}:${parentRunId ?? ''}`, [`runs:${experimentId}`, `run:${runId}`], (c) =>
    c.getRunFamily(runId, experimentId, parentRunId),
  );
}

/**
 * A run's description and the others' carets in it, live: the run doc is held with a socket while the component is
 * mounted (a finished run is otherwise a snapshot), and its changes and presence re-query it.
 */
export function useRunNote(runId: string): QueryResult<RunNoteView> {
  const client = useDataClient();
  useEffect(() => {
    if (!client || !runId) return;
    const lease = client.holdRunLive(runId).catch(() => null);
    return () => void lease.then((l) => (l === null ? undefined : client.releaseRunLive(l))).catch(() => {});
  }, [client, runId]);
  return useWorkerQuery(`run-note:${runId}`, [`run:${runId}`, 'presence'], (c) => c.getRunNote(runId));
}

/** The first `maxBytes` of an artifact's content (content-addressed: it never changes, so no topic). */
export function useArtifactHead(sha256: string, maxBytes: number): QueryResult<ArtifactHead> {
  return useWorkerQuery(`artifact-head:${sha256}:${maxBytes}`, [], (c) => c.readArtifactHead(sha256, maxBytes));
}

/** An object URL of an artifact's whole content typed as `mediaType` (PDF), revoked when the component goes. */
export function useArtifactObjectUrl(sha256: string, mediaType: string): { url: string | null; error: WireError | null } {
  const client = useDataClient();
  const [state, setState] = useState<{ key: string; url: string | null; error: WireError | null }>({ key: '', url: null, error: null });
  const key = `${sha256}:${mediaType}`;
  useEffect(() => {
    if (!client) return;
    let alive = true;
    let url: string | null = null;
    client.readArtifactBlob(sha256, mediaType).then(
      (blob) => {
        if (!alive) return;
        url = URL.createObjectURL(blob);
        setState({ key, url, error: null });
      },
      (e: unknown) => {
        if (alive) setState({ key, url: null, error: toWireError(e) });
      },
    );
    return () => {
      alive = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [client, sha256, mediaType, key]);
  return state.key === key ? { url: state.url, error: state.error } : { url: null, error: null };
}

function toWireError(e: unknown): WireError {
  return e instanceof CairnError ? { code: e.code, message: e.message } : { code: 'INTERNAL_ERROR', message: e instanceof Error ? e.message : String(e) };
}

/**
 * The relay URL of an artifact's content, streamed by the browser itself (an `<img src>`, a download link): an
 * element cannot send a header, so the workspace token travels as `?token=` (the relay reads it there too), and
 * `download` asks the relay for `content-disposition: attachment` under that file name. Null without a relay.
 */
export function blobHref(settings: Pick<Settings, 'relayUrl' | 'token'> | undefined, sha256: string, download?: string): string | null {
  if (!settings?.relayUrl) return null;
  const q = new URLSearchParams();
  if (download) q.set('download', download);
  if (settings.token) q.set('token', settings.token);
  const qs = q.toString();
  return `${settings.relayUrl.replace(/\/+$/, '')}/blobs/${sha256}${qs ? `?${qs}` : ''}`;
}

/** The write commands of this area; each resolves once the change is stored (see useCommands). */
export interface ManageCommands {
  /** One edit of a run's description made on `before` (the text the page showed); resolves with the text after it. */
  editRunNote(runId: string, before: string, edit: TextEdit): Promise<RunNoteEdit>;
  /** Undoes (redo: redoes) this person's last editing step of a run's description; what peers wrote stays. */
  undoRunNote(runId: string, redo?: boolean): Promise<RunNoteEdit & { changed: boolean }>;
  /** Where this person's caret is in a run's description (null: not editing any). */
  setNoteCursor(runId: string | null, index: number): Promise<void>;
  /** Hashes (in the worker, in slices), uploads with progress and records an artifact of a run. */
  uploadArtifact(runId: string, file: File, path: string, mediaType: string, onProgress?: (p: UploadProgress) => void): Promise<ArtifactRef>;
}

export function useManageCommands(): ManageCommands {
  return useCommandSet<ManageCommands>((c) => ({
    editRunNote: async (runId, before, edit) => c().editRunNote(runId, before, edit),
    undoRunNote: async (runId, redo = false) => c().undoRunNote(runId, redo),
    setNoteCursor: async (runId, index) => c().setNoteCursor(runId, index),
    uploadArtifact: async (runId, file, path, mediaType, onProgress) =>
      c().uploadArtifact(runId, file, path, mediaType, onProgress ? Comlink.proxy(onProgress) : undefined),
  }));
}
