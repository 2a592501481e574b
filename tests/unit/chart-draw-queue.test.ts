import { describe, expect, it } from 'vitest';
import { cancelChartWork, pendingChartWork, queueChartWork } from '../../components/charts/draw-queue';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* a draw that takes `ms` */
  }
};
/** Resolves once the queue is empty (it runs in message tasks). */
const drained = () =>
  new Promise<void>((resolve) => {
    const check = () => (pendingChartWork() === 0 ? resolve() : setTimeout(check, 5));
    check();
  });

describe('chart work in slices (CHART-16)', () => {
  it('[CHART-16] twenty 12 ms draws run in order over several tasks, never all in one', async () => {
    const ran: number[] = [];
    const tasks: number[][] = [];
    let current: number[] | null = null;
    for (let i = 0; i < 20; i++) {
      queueChartWork({ i }, () => {
        if (!current) {
          current = [];
          tasks.push(current);
          // The next task starts a new group: a microtask ends this one's.
          queueMicrotask(() => (current = null));
        }
        current.push(i);
        ran.push(i);
        busy(12);
      });
    }
    // Nothing runs in the queueing task itself.
    expect(ran).toEqual([]);
    await drained();
    expect(ran).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(tasks.length).toBeGreaterThanOrEqual(6);
    // 30 ms a slice: at most three 12 ms draws in one task (the third starts before the budget is spent).
    for (const t of tasks) expect(t.length).toBeLessThanOrEqual(3);
  });

  it('[CHART-16] a newer option for a waiting chart replaces the old one in its place; a cancelled chart draws nothing', async () => {
    const a = {};
    const b = {};
    const c = {};
    const ran: string[] = [];
    queueChartWork(a, () => ran.push('a1'));
    queueChartWork(b, () => ran.push('b1'));
    queueChartWork(c, () => ran.push('c1'));
    queueChartWork(a, () => ran.push('a2'));
    cancelChartWork(b);
    await drained();
    expect(ran).toEqual(['a2', 'c1']);
  });

  it('[CHART-16] one chart that throws does not stop the charts after it', async () => {
    const ran: string[] = [];
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onError);
    try {
      queueChartWork({}, () => {
        throw new Error('bad option');
      });
      queueChartWork({}, () => ran.push('after'));
      await drained();
      await new Promise((r) => setTimeout(r, 10));
      expect(ran).toEqual(['after']);
      expect(String(errors[0])).toContain('bad option');
    } finally {
      process.off('uncaughtException', onError);
    }
  });
});
