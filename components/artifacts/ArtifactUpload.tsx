'use client';

import { useId, useState, type FormEvent } from 'react';
import { useManageCommands, type UploadProgress } from '@/lib/react';
import { errorMessage, formatBytes } from '../format';
import { mediaTypeFor } from './viewer-kind';

type State = { kind: 'idle' } | { kind: 'busy'; name: string; p: UploadProgress } | { kind: 'done'; name: string; size: number } | { kind: 'error'; message: string };

/**
 * ART-5: upload a file from this computer as an artifact of the run, into an optional folder. The worker hashes it in
 * slices and PUTs it to the relay; the bar shows hashing then upload progress, and stays at 100% once done.
 */
export default function ArtifactUpload({ runId, disabled }: { runId: string; disabled?: boolean }) {
  const { uploadArtifact } = useManageCommands();
  const fileId = useId();
  const folderId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [folder, setFolder] = useState('');
  const [state, setState] = useState<State>({ kind: 'idle' });

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    const prefix = folder.trim().replace(/^\/+|\/+$/g, '');
    const path = prefix ? `${prefix}/${file.name}` : file.name;
    setState({ kind: 'busy', name: path, p: { phase: 'hashing', done: 0, total: file.size } });
    try {
      await uploadArtifact(runId, file, path, mediaTypeFor(file.name, file.type), (p) => setState({ kind: 'busy', name: path, p }));
      setState({ kind: 'done', name: path, size: file.size });
    } catch (err) {
      setState({ kind: 'error', message: errorMessage(err) });
    }
  }

  const busy = state.kind === 'busy';
  const pct = state.kind === 'done' ? 100 : busy ? (state.p.total === 0 ? 100 : Math.floor((state.p.done / state.p.total) * 100)) : 0;
  return (
    <form onSubmit={submit} aria-label="Upload artifact" className="flex flex-wrap items-center gap-2 text-sm">
      <label htmlFor={fileId} className="text-stone-700">
        File
      </label>
      <input id={fileId} type="file" disabled={disabled || busy} onChange={(e) => setFile(e.target.files?.[0] ?? null)} className="text-xs" />
      <label htmlFor={folderId} className="text-stone-700">
        Folder
      </label>
      <input
        id={folderId}
        value={folder}
        onChange={(e) => setFolder(e.target.value)}
        placeholder="(top level)"
        className="w-36 rounded border border-stone-300 px-2 py-0.5 text-xs focus:border-sky-600 focus:outline-none"
      />
      <button type="submit" disabled={!file || busy || disabled} className="rounded bg-sky-700 px-3 py-0.5 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50">
        Upload
      </button>
      {(busy || state.kind === 'done') && (
        <span className="flex items-center gap-2 text-xs text-stone-600" data-testid="upload-status">
          <progress
            max={100}
            value={pct}
            aria-label={`Uploading ${state.name}`}
            aria-valuenow={pct}
            aria-valuemin={0}
            aria-valuemax={100}
            className="h-2 w-40"
          />
          {busy ? `${state.p.phase === 'hashing' ? 'Hashing' : 'Uploading'} ${pct}%` : `Uploaded ${state.name} (${formatBytes(state.size)})`}
        </span>
      )}
      {state.kind === 'error' && (
        <p role="alert" className="w-full text-xs text-red-700">
          {state.message}
        </p>
      )}
    </form>
  );
}
