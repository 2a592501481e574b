'use client';

import { useId, useState } from 'react';
import { embedPath, type EmbedSpec } from './embed-link';

/**
 * "Copy embed link": puts the `/embed/?...` URL of the chart on the clipboard and shows it (selectable), so it can be
 * copied by hand where the clipboard is refused (an http origin, a denied permission).
 */
export default function CopyEmbedLink({ spec }: { spec: EmbedSpec | null }) {
  const [shown, setShown] = useState<{ url: string; copied: boolean } | null>(null);
  const inputId = useId();

  async function copy() {
    if (!spec) return;
    const url = `${window.location.origin}${embedPath(spec)}`;
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      // Refused (no permission, not a secure context): the link is shown to copy by hand.
    }
    setShown({ url, copied });
  }

  return (
    <div className="space-y-1">
      <button
        type="button"
        onClick={() => void copy()}
        disabled={!spec}
        title={spec ? undefined : 'The card has no runs to embed yet'}
        className="rounded border border-stone-300 px-2 py-0.5 text-xs hover:bg-stone-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 disabled:opacity-50 dark:border-stone-600 dark:hover:bg-stone-800"
      >
        Copy embed link
      </button>
      {shown && (
        <div className="flex items-center gap-1 text-xs">
          <label htmlFor={inputId} className="text-stone-600 dark:text-stone-400">
            {shown.copied ? 'Copied:' : 'Copy this link:'}
          </label>
          <input
            id={inputId}
            readOnly
            value={shown.url}
            data-testid="embed-link"
            onFocus={(e) => e.currentTarget.select()}
            className="min-w-0 flex-1 rounded border border-stone-300 px-1 py-0.5 font-mono text-xs dark:border-stone-600"
          />
        </div>
      )}
    </div>
  );
}
