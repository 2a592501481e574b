import { describe, expect, it } from 'vitest';
import { searchTable, tableFromRows } from '@/lib/search';
import { aggregates, buildList, groupKey, type ListOptions, type ListRow } from '@/lib/search/table-list';
import { orderByOf } from '@/lib/search/table-view';

function row(i: number, over: Partial<ListRow> & { lr?: string; acc?: number } = {}): ListRow & { experimentId: string; lifecycleStage: 'active'; artifactUri: string; parentRunId: string | null } {
  const { lr, acc, ...rest } = over;
  return {
    runId: `run${String(i).padStart(3, '0')}`,
    runName: `r${i}`,
    experimentId: '1',
    userId: 'u',
    status: 'FINISHED',
    startTime: 1_000 + i,
    endTime: 2_000 + i * 10,
    lifecycleStage: 'active',
    artifactUri: '',
    parentRunId: null,
    params: lr === undefined ? {} : { lr },
    tags: {},
    metrics: acc === undefined ? {} : { acc: { latest: acc, min: acc - 1, max: acc + 1, count: 2 } },
    datasets: [],
    ...rest,
  };
}

const OPTS: ListOptions = { sort: null, sorted: true, groupBy: null, pinned: [], hidden: [], showHidden: false, expanded: [], collapsedGroups: [], columns: ['attr:name', 'metric:acc'] };

/** The list as lib/search orders it, then table-list's entries as run names / group labels. */
function shown(rows: ReturnType<typeof row>[], o: Partial<ListOptions> = {}, filter = '') {
  const opts = { ...OPTS, ...o };
  const clause = orderByOf(opts.sort);
  const found = searchTable(tableFromRows(rows), { filter, orderBy: clause ? [clause] : null, maxResults: 50_000 });
  if (!found.ok) throw new Error(found.error.message);
  const list = buildList(rows, found.rows, { ...opts, sorted: clause !== null });
  return { list, names: list.entries.map((e) => (e.kind === 'run' ? `${'  '.repeat(e.depth)}${rows[e.row]!.runName}${e.pinned ? '*' : ''}` : `[${e.value}:${e.count}]`)) };
}

describe('runs table shown list (lib/search table-list.ts)', () => {
  it('[TABLE-7] pinned runs first, hidden runs left out (or flagged), counts kept', () => {
    const rows = [0, 1, 2, 3, 4].map((i) => row(i));
    expect(shown(rows).names).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
    const s = shown(rows, { pinned: ['run001', 'run003'], hidden: ['run002'] });
    expect(s.names).toEqual(['r3*', 'r1*', 'r4', 'r0']);
    expect(s.list).toMatchObject({ matching: 5, hidden: 1 });
    const all = shown(rows, { hidden: ['run002'], showHidden: true });
    expect(all.names).toEqual(['r4', 'r3', 'r2', 'r1', 'r0']);
    expect(all.list.entries.find((e) => e.kind === 'run' && e.hidden)).toMatchObject({ row: 2 });
    // A pin of a run the filter leaves out does not bring it back.
    expect(shown(rows, { pinned: ['run001'] }, "attributes.run_name != 'r1'").names).toEqual(['r4', 'r3', 'r2', 'r0']);
  });

  it('[TABLE-7] children go under their listed parent when it is expanded; loops are broken; orphans stay top level', () => {
    const rows = [
      row(0),
      row(1, { parentRunId: 'run000' }),
      row(2, { parentRunId: 'run001' }),
      row(3, { parentRunId: 'gone' }),
      row(4, { parentRunId: 'run005' }),
      row(5, { parentRunId: 'run004' }),
      row(6, { parentRunId: 'run006' }),
    ];
    const collapsed = shown(rows);
    expect(collapsed.names).toEqual(['r6', 'r5', 'r3', 'r0']);
    expect(collapsed.list.entries.find((e) => e.kind === 'run' && e.row === 0)).toMatchObject({ children: 1, expanded: false });
    expect(shown(rows, { expanded: ['run000', 'run001', 'run005'] }).names).toEqual(['r6', 'r5', '  r4', 'r3', 'r0', '  r1', '    r2']);
    // A filter that leaves the parent out lists the child at the top.
    expect(shown(rows, {}, "attributes.run_name = 'r2'").names).toEqual(['r2']);
    // Everything (CSV): every run once.
    const every = buildList(rows, Uint32Array.from([6, 5, 4, 3, 2, 1, 0]), { ...OPTS, everything: true });
    expect(every.entries.map((e) => (e.kind === 'run' ? e.row : -1)).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('[TABLE-6] columns order_by cannot name are sorted here: values, then NaN, then missing, in both directions', () => {
    const rows = [row(0, { acc: 3 }), row(1, { acc: NaN }), row(2), row(3, { acc: 1 }), row(4, { acc: 2 })];
    expect(shown(rows, { sort: { column: 'metricmin:acc', ascending: true } }).names).toEqual(['r3', 'r4', 'r0', 'r1', 'r2']);
    expect(shown(rows, { sort: { column: 'metricmin:acc', ascending: false } }).names).toEqual(['r0', 'r4', 'r3', 'r1', 'r2']);
    // Through lib/search's order_by: the same order for the latest value.
    expect(shown(rows, { sort: { column: 'metric:acc', ascending: true } }).names).toEqual(['r3', 'r4', 'r0', 'r1', 'r2']);
    const running = [row(0), row(1, { endTime: null }), row(2)];
    expect(shown(running, { sort: { column: 'attr:duration', ascending: false } }).names).toEqual(['r2', 'r0', 'r1']);
  });

  it('[TABLE-11] groups by a param: numeric values in number order, missing last, with count/min/mean/max per metric column', () => {
    const rows = [row(0, { lr: '0.1', acc: 1 }), row(1, { lr: '0.01', acc: 2 }), row(2, { lr: '0.1', acc: 4 }), row(3), row(4, { lr: '0.1', acc: NaN }), row(5, { lr: '1e-3', acc: 9 })];
    const s = shown(rows, { groupBy: 'param:lr' });
    expect(s.names).toEqual(['[1e-3:1]', 'r5', '[0.01:1]', 'r1', '[0.1:3]', 'r4', 'r2', 'r0', '[null:1]', 'r3']);
    const g = s.list.entries.find((e) => e.kind === 'group' && e.value === '0.1');
    expect(g).toMatchObject({ kind: 'group', count: 3, aggregates: { 'metric:acc': { count: 2, min: 1, mean: 2.5, max: 4 } } });
    expect(s.list.entries.find((e) => e.kind === 'group' && e.value === null)).toMatchObject({ aggregates: { 'metric:acc': { count: 0 } } });
    // A collapsed group keeps its header, not its runs; pinned runs sit above the groups.
    expect(shown(rows, { groupBy: 'param:lr', collapsedGroups: [groupKey('0.1')], pinned: ['run005'] }).names).toEqual(['r5*', '[0.01:1]', 'r1', '[0.1:3]', '[null:1]', 'r3']);
    // Aggregates of min/max columns use those values; other columns get none.
    expect(aggregates(rows, [0, 2], ['metricmax:acc', 'param:lr'])).toEqual({ 'metricmax:acc': { count: 2, min: 2, mean: 3.5, max: 5 } });
  });
});
