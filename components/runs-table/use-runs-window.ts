'use client';

import { useCallback, useMemo, useRef, useState } from 'react';
import { useRunsWindow, type ListQuery, type RunsWindow, type TableItem, type WireError } from '@/lib/react';
import type { VisibleRange } from './RunsTable';

/** Windows start on multiples of BLOCK and hold WINDOW entries: a new query every BLOCK rows scrolled, not every row. */
const BLOCK = 100;
const WINDOW = 300;

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

  const kept = useRef<{ qk: string; data: RunsWindow } | null>(null);
  const prev = useRef<RunsWindow | null>(null);
  if (r.data && kept.current?.data !== r.data) {
    prev.current = kept.current?.qk === qk ? kept.current.data : null;
    kept.current = { qk, data: r.data };
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
  const onRange = useCallback((v: VisibleRange) => {
    setPos((p) => {
      const cur = p.qk === qkRef.current ? p.offset : 0;
      if (v.first >= cur && v.last <= cur + WINDOW) return p.qk === qkRef.current ? p : { qk: qkRef.current, offset: cur };
      return { qk: qkRef.current, offset: Math.floor(v.first / BLOCK) * BLOCK };
    });
  }, []);
  return useMemo(
    () => ({ data, itemAt, loading: !sameQuery || r.loading, error: r.error, onRange }),
    [data, itemAt, sameQuery, r.loading, r.error, onRange],
  );
}
