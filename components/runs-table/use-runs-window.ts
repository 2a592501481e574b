'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useRunsWindow, type ListQuery, type RunsWindow, type TableItem, type WireError } from '@/lib/react';
import type { VisibleRange } from './RunsTable';
import { keepItems, WINDOW, windowOffset } from './windows';

export interface WindowState {
  data: RunsWindow | undefined;
  itemAt(index: number): TableItem | undefined;
  /** True until the first answer of this query came (an older answer may be shown meanwhile). */
  loading: boolean;
  error: WireError | undefined;
  onRange(r: VisibleRange): void;
}

/**
 * The runs table's data: the window of the shown list around what is visible, asked of the worker as the visible
 * range moves. The previous answer is kept while the next one is on its way (rows it has are drawn; the others are
 * placeholders), so scrolling and refiltering never blank the table.
 */
export function useWindowedRuns(experimentId: string, query: ListQuery): WindowState {
  const qk = JSON.stringify(query);
  const qkRef = useRef(qk);
  qkRef.current = qk;
  const [pos, setPos] = useState({ qk, offset: 0 });
  const offset = pos.qk === qk ? pos.offset : 0;
  const r = useRunsWindow(experimentId, query, offset, WINDOW);

  const kept = useRef<{ qk: string; source: RunsWindow; data: RunsWindow } | null>(null);
  const prev = useRef<RunsWindow | null>(null);
  if (r.data && kept.current?.source !== r.data) {
    prev.current = kept.current?.qk === qk ? kept.current.data : null;
    kept.current = { qk, source: r.data, data: keepItems(prev.current, r.data) };
  }
  const data = kept.current?.data;
  const sameQuery = kept.current?.qk === qk;
  const itemAt = useCallback(
    (i: number): TableItem | undefined => {
      const inWin = (w: RunsWindow | null | undefined) => (w && i >= w.offset && i < w.offset + w.items.length ? w.items[i - w.offset] : undefined);
      return inWin(data) ?? (sameQuery ? inWin(prev.current) : undefined);
    },
    [data, sameQuery],
  );
  const countRef = useRef<number | undefined>(undefined);
  countRef.current = sameQuery ? data?.itemCount : undefined;
  // One window on its way at a time (TABLE-17): a new offset drops the answer still coming for the old one, so moving
  // the window every few frames of a fling would drop every answer and leave placeholders. The drawn range is noted,
  // and the window moves to it when the answer on its way has come.
  const lastRange = useRef<VisibleRange | null>(null);
  const loadingRef = useRef(true);
  loadingRef.current = r.loading;
  const move = useCallback(() => {
    const v = lastRange.current;
    if (!v) return;
    setPos((p) => {
      const cur = p.qk === qkRef.current ? p.offset : 0;
      const next = windowOffset(cur, v, countRef.current);
      return next === cur && p.qk === qkRef.current ? p : { qk: qkRef.current, offset: next };
    });
  }, []);
  const onRange = useCallback(
    (v: VisibleRange) => {
      lastRange.current = v;
      if (!loadingRef.current) move();
    },
    [move],
  );
  useEffect(() => {
    if (!r.loading) move();
  }, [r.loading, r.data, move]);
  return useMemo(
    () => ({ data, itemAt, loading: !sameQuery || r.loading, error: r.error, onRange }),
    [data, itemAt, sameQuery, r.loading, r.error, onRange],
  );
}
