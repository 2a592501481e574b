'use client';

import { useEffect, useState, type RefObject } from 'react';

/** How long the button says "Copied" before it reads "Copy" again. */
const COPIED_MS = 2000;

/**
 * PROJUI-4: puts `text` on the clipboard and says "Copied" (announced to screen readers too). Where the clipboard is
 * refused (an http origin, a denied permission) the element in `selectOnRefuse` is selected to copy by hand, and the
 * button says why. A real button: Tab to it, Enter or Space.
 */
export default function CopyButton({ text, label, selectOnRefuse }: { text: string; label: string; selectOnRefuse?: RefObject<HTMLElement | null> }) {
  const [state, setState] = useState<'idle' | 'copied' | 'refused'>('idle');
  useEffect(() => {
    if (state !== 'copied') return;
    const t = setTimeout(() => setState('idle'), COPIED_MS);
    return () => clearTimeout(t);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      const sel = window.getSelection();
      if (selectOnRefuse?.current && sel) sel.selectAllChildren(selectOnRefuse.current);
      setState('refused');
    }
  }

  return (
    <span className="inline-flex items-center gap-2">
      {/* The button's own text says "Copied"; this tells a screen reader, and shows why when the browser refused. */}
      <span aria-live="polite" className={state === 'refused' ? 'text-xs text-amber-800' : 'sr-only'}>
        {state === 'copied' ? 'Copied' : state === 'refused' ? `The browser refused the clipboard${selectOnRefuse ? ': the text is selected' : ''}` : ''}
      </span>
      <button
        type="button"
        aria-label={label}
        onClick={() => void copy()}
        className="rounded border border-stone-300 px-2 py-0.5 text-xs text-stone-800 hover:bg-stone-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600"
      >
        {state === 'copied' ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}
