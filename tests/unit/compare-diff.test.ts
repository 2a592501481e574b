import { describe, expect, it } from 'vitest';
import { diffRows, visibleDiffRows } from '@/components/compare/compare-diff';
import { latestBarOption, parallelOption, scatterOption } from '@/components/compare/run-chart-options';
import { availableAxes, axisScale, axisValue } from '@/components/compare/run-values';
import { runColor } from '@/components/run-colors';
import type { RunRow } from '@/lib/react';

function run(id: string, o: { params?: Record<string, string>; metrics?: Record<string, number>; tags?: Record<string, string>; status?: string }): RunRow {
  return {
    info: {
      runId: id,
      runName: `run-${id}`,
      experimentId: '1',
      userId: 'ann',
      status: o.status ?? 'FINISHED',
      startTime: 1_700_000_000_000,
      endTime: 1_700_000_060_000,
      lifecycleStage: 'active',
      deletedTime: null,
      artifactUri: '',
    } as RunRow['info'],
    params: o.params ?? {},
    tags: o.tags ?? {},
    metrics: Object.fromEntries(Object.entries(o.metrics ?? {}).map(([k, v]) => [k, { latest: v, min: v, max: v, count: 1 }])),
    datasets: [],
  };
}

describe('compare: diff table', () => {
  const runs = [
    run('a', { params: { lr: '0.1', opt: 'adam' }, metrics: { loss: 0.5, acc: NaN }, tags: { team: 'x' } }),
    run('b', { params: { lr: '0.01', opt: 'adam' }, metrics: { loss: 0.5, acc: NaN }, tags: { team: 'x', extra: 'y' } }),
    run('c', { params: { lr: '0.1', opt: 'adam' }, metrics: { loss: 0.1 + 0.2 }, tags: { team: 'x' }, status: 'FAILED' }),
  ];

  it('[CMP-2] rows per attribute, param, metric (latest) and tag; "only differences" keeps exactly the rows that differ', () => {
    const rows = diffRows(runs);
    expect(rows.map((r) => `${r.section}:${r.key}`)).toEqual([
      'attribute:Status', 'attribute:User', 'attribute:Start time', 'attribute:Duration', 'attribute:Datasets',
      'param:lr', 'param:opt', 'metric:acc', 'metric:loss', 'tag:extra', 'tag:team',
    ]);
    const byKey = new Map(rows.map((r) => [`${r.section}:${r.key}`, r]));
    expect(byKey.get('param:lr')).toMatchObject({ values: ['0.1', '0.01', '0.1'], differs: true });
    expect(byKey.get('param:opt')).toMatchObject({ values: ['adam', 'adam', 'adam'], differs: false });
    // A run without the key differs from runs with it; NaN equals NaN.
    expect(byKey.get('metric:acc')).toMatchObject({ values: ['NaN', 'NaN', null], differs: true });
    expect(byKey.get('tag:extra')).toMatchObject({ values: [null, 'y', null], differs: true });
    // Raw values are compared: 0.1 + 0.2 is not 0.5, and shows to 6 digits.
    expect(byKey.get('metric:loss')).toMatchObject({ values: ['0.5', '0.5', '0.3'], differs: true });
    expect(byKey.get('attribute:Status')).toMatchObject({ values: ['FINISHED', 'FINISHED', 'FAILED'], differs: true });
    expect(byKey.get('attribute:Duration')).toMatchObject({ values: ['1.0min', '1.0min', '1.0min'], differs: false });

    const only = visibleDiffRows(rows, true).map((r) => `${r.section}:${r.key}`);
    expect(only).toEqual(['attribute:Status', 'param:lr', 'metric:acc', 'metric:loss', 'tag:extra']);
    expect(visibleDiffRows(rows, false)).toHaveLength(rows.length);
    const twoSame = diffRows([runs[0]!, run('d', { params: { lr: '0.1', opt: 'adam' }, metrics: { loss: 0.5, acc: NaN }, tags: { team: 'x' } })]);
    expect(visibleDiffRows(twoSame, true)).toEqual([]);
  });
});

describe('compare: axes and charts', () => {
  const runs = [
    run('a', { params: { lr: '0.1', opt: 'adam' }, metrics: { loss: 0.5 } }),
    run('b', { params: { lr: '1e-3', opt: 'sgd' }, metrics: { loss: Infinity } }),
    run('c', { params: { opt: 'adam' }, metrics: { loss: 0.2 } }),
  ];
  const lr = { kind: 'param', key: 'lr' } as const;
  const opt = { kind: 'param', key: 'opt' } as const;
  const loss = { kind: 'metric', key: 'loss' } as const;

  it('[CMP-4] numeric params plot as numbers, other values as categories; runs without a value are left out or gapped', () => {
    expect(axisValue(runs[1]!, lr)).toBe(0.001);
    expect(axisValue(runs[2]!, lr)).toBeNull();
    expect(axisValue(runs[0]!, { kind: 'attr', key: 'duration' })).toBe(60_000);
    expect(axisScale(runs, lr)).toEqual({ type: 'value' });
    expect(axisScale(runs, opt)).toEqual({ type: 'category', categories: ['adam', 'sgd'] });
    expect(availableAxes(runs).map((a) => `${a.kind}:${a.key}`)).toEqual([
      'param:lr', 'param:opt', 'metric:loss', 'attr:start_time', 'attr:duration', 'attr:status', 'attr:user_id',
    ]);

    const scatter = scatterOption(runs, lr, loss);
    // b's loss is not finite and c has no lr: only a is drawn, in its run colour.
    expect(scatter.drawn).toBe(1);
    const sData = (scatter.option.series as { data: { value: unknown[]; itemStyle: { color: string } }[] }[])[0]!.data;
    expect(sData).toEqual([{ name: 'run-a', value: [0.1, 0.5], itemStyle: { color: runColor('a') } }]);
    expect(scatter.option.xAxis).toMatchObject({ type: 'value', name: 'params.lr' });

    const cat = scatterOption(runs, opt, loss);
    expect(cat.option.xAxis).toMatchObject({ type: 'category', data: ['adam', 'sgd'] });
    expect(cat.drawn).toBe(2);

    const par = parallelOption(runs, [lr, opt, loss]);
    expect(par.drawn).toBe(3);
    expect((par.option.parallelAxis as { type: string }[]).map((a) => a.type)).toEqual(['value', 'category', 'value']);
    const pData = (par.option.series as { data: { value: unknown[] }[] }[])[0]!.data.map((d) => d.value);
    expect(pData).toEqual([[0.1, 'adam', 0.5], [0.001, 'sgd', '-'], ['-', 'adam', 0.2]]);

    const bars = latestBarOption(runs, 'loss');
    expect(bars.drawn).toBe(2);
    expect((bars.option.xAxis as { data: string[] }).data).toEqual(['run-a', 'run-c']);
  });
});
