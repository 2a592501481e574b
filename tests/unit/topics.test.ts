import { describe, expect, it } from 'vitest';
import { Topics } from '@/workers/topics';

describe('worker change topics', () => {
  it('[WRK-1] signalAll re-queries every query topic but never fires the reload event', async () => {
    const t = new Topics(1);
    const fired: string[] = [];
    t.add('experiments', (x) => fired.push(x));
    t.add('runs:1', (x) => fired.push(x));
    t.add('reload', (x) => fired.push(x));
    t.signalAll();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired.sort()).toEqual(['experiments', 'runs:1']);
    t.signal('reload');
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toContain('reload');
    t.clear();
  });
});
