'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useRef, useState } from 'react';
import { readViewParams, writeViewParams, type TableView } from '@/lib/react';

/**
 * The runs table's view lives in the page URL (TABLE-8): read with useSearchParams, written with router.replace (no
 * history entry per click), other parameters (the page's `id`) kept. Several changes in one tick build on each other:
 * the latest written view is remembered until the URL shows it.
 */
export function useUrlView(): [TableView, (change: Partial<TableView> | ((v: TableView) => Partial<TableView>)) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const text = params.toString();
  const fromUrl = useMemo(() => readViewParams(new URLSearchParams(text)), [text]);
  // What was written but is not in the URL yet (router.replace lands a moment later): cleared once the URL changes.
  const pending = useRef<{ from: string; view: TableView } | null>(null);
  if (pending.current && pending.current.from !== text) pending.current = null;
  const view = pending.current?.view ?? fromUrl;
  const viewRef = useRef(view);
  viewRef.current = view;

  const update = useCallback(
    (change: Partial<TableView> | ((v: TableView) => Partial<TableView>)) => {
      const cur = viewRef.current;
      const next = { ...cur, ...(typeof change === 'function' ? change(cur) : change) };
      viewRef.current = next;
      const p = writeViewParams(next, new URLSearchParams(window.location.search));
      pending.current = { from: new URLSearchParams(window.location.search).toString(), view: next };
      router.replace(`${window.location.pathname}?${p.toString()}`, { scroll: false });
    },
    [router],
  );
  const [, rerender] = useState(0);
  return [view, useCallback((c) => (update(c), rerender((n) => n + 1)), [update])];
}
