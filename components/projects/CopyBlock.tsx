'use client';

import { useRef } from 'react';
import CopyButton from './CopyButton';

/** PROJUI-4: one command in a monospace block, with its Copy button (CopyButton) in the block's header. */
export default function CopyBlock({ label, text, testId }: { label: string; text: string; testId: string }) {
  const pre = useRef<HTMLPreElement>(null);
  return (
    <div data-testid={testId} className="rounded border border-stone-200">
      <div className="flex items-center justify-between gap-2 border-b border-stone-200 px-2 py-1 text-xs text-stone-600">
        <span>{label}</span>
        <CopyButton text={text} label={`Copy ${label.toLowerCase()}`} selectOnRefuse={pre} />
      </div>
      {/* Focusable so a keyboard user can reach the text to select it; it wraps at spaces first (a long URL anywhere); the copied text has no breaks. */}
      <pre ref={pre} tabIndex={0} data-testid={`${testId}-text`} className="overflow-x-auto whitespace-pre-wrap wrap-anywhere p-2 font-mono text-xs text-stone-900">
        {text}
      </pre>
    </div>
  );
}
