'use client';

import { useEffect, useRef, useState, type RefObject } from 'react';
import { cancelChartWork, queueChartWork } from './draw-queue';

/** What an ECharts module (echarts-core.ts, compare/echarts-extra.ts) gives: its `init`. */
interface EChartsModule<C> {
  default: { init(node: HTMLElement, theme?: string, opts?: { renderer: 'canvas' }): C };
}
interface Instance {
  resize(): void;
  dispose(): void;
}

/**
 * The one lifecycle of an ECharts canvas: the module is loaded lazily inside the effect (never during prerender, so
 * the chunk stays out of page bundles), the instance is created once per mount on `el`, resized with its container,
 * and disposed on unmount. `onInit` may hook the fresh instance (events, a test handle) and returns its cleanup.
 */
export function useEChart<C extends Instance>(
  el: RefObject<HTMLDivElement | null>,
  load: () => Promise<EChartsModule<C>>,
  onInit?: (chart: C, node: HTMLDivElement) => () => void,
): { chart: C | null; loadError: string | null } {
  const [chart, setChart] = useState<C | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const loadRef = useRef(load);
  const initRef = useRef(onInit);
  initRef.current = onInit;

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    let instance: C | null = null;
    let disposed = false;
    let observer: ResizeObserver | null = null;
    let cleanup: (() => void) | undefined;
    loadRef
      .current()
      .then(({ default: echarts }) => {
        if (disposed) return;
        // Created in its own slice of the page's chart work (CHART-16): twenty charts are not made in one task.
        queueChartWork(node, () => {
          if (disposed) return;
          try {
            const made = echarts.init(node, undefined, { renderer: 'canvas' });
            instance = made;
            cleanup = initRef.current?.(made, node);
            observer = new ResizeObserver(() => made.resize());
            observer.observe(node);
            setChart(made);
          } catch (err) {
            setLoadError(err instanceof Error ? err.message : String(err));
          }
        });
      })
      .catch((err: unknown) => setLoadError(err instanceof Error ? err.message : String(err)));
    return () => {
      disposed = true;
      cancelChartWork(node);
      observer?.disconnect();
      cleanup?.();
      instance?.dispose();
      setChart(null);
    };
  }, [el]);

  return { chart, loadError };
}
