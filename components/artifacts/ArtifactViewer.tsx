'use client';

import { useState } from 'react';
import type { ArtifactRef } from '@/lib/domain';
import { blobHref, useArtifactHead, useArtifactObjectUrl, useSettings } from '@/lib/react';
import LoadError from '../LoadError';
import { formatBytes } from '../format';
import DelimitedTable from './DelimitedTable';
import { prettyJson, viewerKind } from './viewer-kind';

/** A text viewer shows this much first; "Load more" doubles it, up to the worker's cap (ART-4). */
const FIRST_BYTES = 256 * 1024;
const MAX_BYTES = 8 * 1024 * 1024;

/** One artifact shown by its kind (ART-2), with its download link (streamed by the relay: ART-6). */
export default function ArtifactViewer({ artifact }: { artifact: ArtifactRef }) {
  const settings = useSettings().data;
  const kind = viewerKind(artifact.path, artifact.mediaType);
  const name = artifact.path.split('/').pop() ?? artifact.path;
  const download = blobHref(settings, artifact.sha256, name);
  return (
    <section aria-label={`Artifact ${artifact.path}`} data-testid="artifact-viewer" data-kind={kind} className="space-y-2 rounded border border-stone-200 p-3">
      <div className="flex flex-wrap items-center gap-3 text-xs text-stone-600">
        <span className="font-mono text-sm text-stone-900">{artifact.path}</span>
        <span>{formatBytes(artifact.size)}</span>
        <span>{artifact.mediaType}</span>
        {download ? (
          <a href={download} download={name} data-testid="artifact-download" className="ml-auto rounded border border-stone-300 px-2 py-0.5 text-stone-800 hover:bg-stone-100">
            Download
          </a>
        ) : settings ? (
          <span className="ml-auto">No relay: the content is not reachable from here.</span>
        ) : null}
      </div>
      {!settings ? (
        <p className="text-sm text-stone-500">Loading…</p>
      ) : settings.relayUrl ? (
        <Body artifact={artifact} kind={kind} src={blobHref(settings, artifact.sha256)!} />
      ) : null}
    </section>
  );
}

function Body({ artifact, kind, src }: { artifact: ArtifactRef; kind: ReturnType<typeof viewerKind>; src: string }) {
  if (kind === 'image')
    // The browser streams the image from the relay itself; the token rides in the URL (elements send no headers).
    return <img src={src} alt={artifact.path} data-testid="artifact-image" className="max-h-[32rem] max-w-full border border-stone-100 bg-white object-contain" />;
  if (kind === 'pdf') return <PdfView artifact={artifact} />;
  if (kind === 'none') return <p className="text-sm text-stone-500">No preview for this kind of file; download it.</p>;
  return <TextView artifact={artifact} kind={kind} />;
}

function PdfView({ artifact }: { artifact: ArtifactRef }) {
  const { url, error } = useArtifactObjectUrl(artifact.sha256, 'application/pdf');
  if (error) return <LoadError error={error} />;
  if (!url) return <p className="text-sm text-stone-500">Loading PDF…</p>;
  return <iframe src={url} title={`PDF ${artifact.path}`} data-testid="artifact-pdf" className="h-[36rem] w-full border border-stone-200" />;
}

function TextView({ artifact, kind }: { artifact: ArtifactRef; kind: 'json' | 'table' | 'html' | 'text' }) {
  const [limit, setLimit] = useState(FIRST_BYTES);
  const head = useArtifactHead(artifact.sha256, Math.min(limit, MAX_BYTES));
  if (head.error) return <LoadError error={head.error} />;
  if (!head.data) return <p className="text-sm text-stone-500">Loading…</p>;
  const { bytes, total, truncated } = head.data;
  const text = new TextDecoder().decode(bytes);
  const more = truncated && (
    <p className="flex items-center gap-3 text-xs text-stone-600" data-testid="artifact-truncated">
      Showing the first {formatBytes(bytes.length)} of {formatBytes(total)}.
      {limit < MAX_BYTES && (
        <button type="button" onClick={() => setLimit(limit * 4)} className="rounded border border-stone-300 px-2 py-0.5 hover:bg-stone-100">
          Load more
        </button>
      )}
    </p>
  );
  if (kind === 'table') return (
    <>
      <DelimitedTable path={artifact.path} text={text} truncated={truncated} />
      {more}
    </>
  );
  if (kind === 'html')
    return (
      <>
        {/* No allow-scripts and no allow-same-origin: the page is shown, its scripts never run, it cannot reach the app. */}
        <iframe sandbox="" srcDoc={text} title={`HTML ${artifact.path}`} data-testid="artifact-html" className="h-[32rem] w-full border border-stone-200 bg-white" />
        {more}
      </>
    );
  const shown = kind === 'json' && !truncated ? prettyJson(text).text : text;
  return (
    <>
      <pre data-testid="artifact-text" tabIndex={0} className="max-h-[32rem] overflow-auto whitespace-pre-wrap break-all rounded bg-stone-50 p-2 font-mono text-xs text-stone-900">
        {shown}
      </pre>
      {more}
    </>
  );
}
