'use client';

import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { suggestKeys, type SearchError, type Suggestion, type TableKeys } from '@/lib/react';

const EXAMPLE = 'metrics.rmse < 1 and params.model = "tree"';

/** True when a key press belongs to a text field (so `/` types a slash there). */
function inEditable(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

/**
 * The runs table's search box: MLflow's filter language (plus OR, NOT, parentheses, numeric params), applied on Enter;
 * keys complete from the experiment's index (TABLE-3) and `/` anywhere on the page focuses it (TABLE-4). A filter the
 * worker could not use is shown with the place it went wrong (TABLE-2).
 */
export default function RunsFilter({
  applied,
  error,
  keys,
  onApply,
}: {
  applied: string;
  error: SearchError | undefined;
  keys: TableKeys;
  onApply: (filter: string) => void;
}) {
  const [text, setText] = useState(applied);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  const listId = useId();

  // A view applied from elsewhere (a saved view, a link) shows its filter.
  useEffect(() => setText(applied), [applied]);

  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || inEditable(e.target)) return;
      e.preventDefault();
      input.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const close = () => {
    setSuggestions([]);
    setActive(-1);
  };
  const suggest = (value: string, caret: number) => {
    setSuggestions(suggestKeys(value, caret, keys));
    setActive(-1);
  };
  const accept = (s: Suggestion) => {
    const next = text.slice(0, s.from) + s.insert + text.slice(s.to);
    setText(next);
    const caret = s.from + s.insert.length;
    requestAnimationFrame(() => input.current?.setSelectionRange(caret, caret));
    // A completed prefix (`metrics.`) goes on to its keys.
    if (s.insert.endsWith('.')) setSuggestions(suggestKeys(next, caret, keys));
    else close();
    setActive(-1);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (suggestions.length === 0) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => (a + 1) % suggestions.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a <= 0 ? suggestions.length - 1 : a - 1));
    } else if ((e.key === 'Enter' || e.key === 'Tab') && active >= 0) {
      e.preventDefault();
      accept(suggestions[active]!);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    close();
    onApply(text.trim());
  };
  const open = suggestions.length > 0;
  return (
    <form role="search" onSubmit={submit} className="space-y-1">
      <div className="flex gap-2">
        <label htmlFor="runs-filter" className="sr-only">
          Filter runs
        </label>
        <div className="relative w-full">
          <input
            id="runs-filter"
            ref={input}
            data-testid="runs-filter"
            role="combobox"
            aria-autocomplete="list"
            aria-expanded={open}
            aria-controls={listId}
            aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              suggest(e.target.value, e.target.selectionStart ?? e.target.value.length);
            }}
            onKeyDown={onKeyDown}
            onBlur={() => setTimeout(close, 150)}
            placeholder={`${EXAMPLE}   (press / to focus)`}
            spellCheck={false}
            autoComplete="off"
            className="w-full rounded border border-stone-300 px-2 py-1 font-mono text-xs focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-stone-600"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'runs-filter-error' : undefined}
          />
          <ul
            id={listId}
            role="listbox"
            aria-label="Filter keys"
            hidden={!open}
            className="absolute z-20 mt-1 max-h-64 w-full overflow-auto rounded border border-stone-300 bg-white py-1 font-mono text-xs shadow dark:bg-stone-900 dark:border-stone-600"
          >
            {suggestions.map((s, i) => (
              <li
                key={s.insert}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                onMouseDown={(e) => {
                  e.preventDefault();
                  accept(s);
                }}
                className={`cursor-pointer px-2 py-0.5 ${i === active ? 'bg-sky-100 dark:bg-sky-900' : 'hover:bg-stone-100 dark:hover:bg-stone-800'}`}
              >
                {s.label}
              </li>
            ))}
          </ul>
        </div>
        <button type="submit" className="rounded border border-stone-300 px-3 py-1 text-xs hover:bg-stone-100 focus-visible:outline-2 focus-visible:outline-sky-600 dark:border-stone-600 dark:hover:bg-stone-800">
          Search
        </button>
        {applied && (
          <button
            type="button"
            className="rounded px-2 py-1 text-xs text-stone-600 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600 dark:text-stone-400"
            onClick={() => {
              setText('');
              onApply('');
            }}
          >
            Clear
          </button>
        )}
      </div>
      {error && (
        <p id="runs-filter-error" role="alert" data-testid="runs-filter-error" className="text-xs text-red-800 dark:text-red-300">
          {error.message}
          {error.position !== undefined && <> (at character {error.position + 1})</>}
        </p>
      )}
      {error?.position !== undefined && error.field === 'filter' && (
        <pre data-testid="runs-filter-error-at" aria-hidden className="overflow-x-auto font-mono text-xs text-stone-600 dark:text-stone-400">
          {applied}
          {'\n'}
          {' '.repeat(error.position)}
          <span className="text-red-700">{'^'.repeat(Math.max(1, error.length ?? 1))}</span>
        </pre>
      )}
    </form>
  );
}
