import { describe, expect, it } from 'vitest';
import {
  EMPTY_VIEW,
  compareHref,
  decodeView,
  encodeView,
  orderByOf,
  parseColumn,
  readViewParams,
  shownColumns,
  writeViewParams,
  type TableView,
} from '@/lib/search/table-view';
import { parseOrderBy } from '@/lib/search';

const FULL: TableView = {
  filter: "metrics.acc > 0.5 and params.model = 'a,b&c=d'",
  sort: { column: 'metric:val loss', ascending: false },
  columns: ['attr:name', 'attr:status', 'param:lr', 'metric:val loss', 'metricmin:val loss', 'tag:team:a', 'attr:dataset'],
  groupBy: 'param:optimizer name',
  selected: ['0123456789abcdef0123456789abcdef', 'fedcba9876543210fedcba9876543210'],
  pinned: ['0123456789abcdef0123456789abcdef'],
  hidden: ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
  showHidden: true,
  deleted: true,
};

describe('runs table view (lib/search table-view.ts)', () => {
  it('[TABLE-8] a view survives encode → decode, through a real URL, keeping other parameters', () => {
    expect(decodeView(encodeView(FULL))).toEqual(FULL);
    const url = new URL('http://x.test/experiment/?id=123');
    writeViewParams(FULL, url.searchParams);
    const back = new URL(url.toString());
    expect(back.searchParams.get('id')).toBe('123');
    expect(readViewParams(back.searchParams)).toEqual(FULL);
    // The default view adds nothing; an explicit empty column choice is kept apart from "default".
    expect(encodeView(EMPTY_VIEW)).toBe('');
    expect(decodeView('')).toEqual(EMPTY_VIEW);
    const nameOnly = { ...EMPTY_VIEW, columns: [] };
    expect(decodeView(encodeView(nameOnly)).columns).toEqual([]);
    // Each part alone round-trips too.
    for (const part of Object.keys(FULL) as (keyof TableView)[]) {
      const v = { ...EMPTY_VIEW, [part]: FULL[part] } as TableView;
      expect(decodeView(encodeView(v)), part).toEqual(v);
    }
  });

  it('[TABLE-8] malformed parameters fall back to the default of their part', () => {
    const v = decodeView('sort=nope&col=bogus&col=metric:a&group=metric:a&sel=<script>&pin=ok_id&deleted=yes');
    expect(v.sort).toBeNull();
    expect(v.columns).toEqual(['metric:a']);
    expect(v.groupBy).toBeNull();
    expect(v.selected).toEqual([]);
    expect(v.pinned).toEqual(['ok_id']);
    expect(v.deleted).toBe(false);
  });

  it('[TABLE-6] sortable columns map to MLflow order_by clauses that lib/search accepts', () => {
    const cases: [string, string | null][] = [
      ['attr:name', 'attributes.run_name ASC'],
      ['attr:created', 'attributes.start_time ASC'],
      ['attr:source', 'tags.`mlflow.source.name` ASC'],
      ['param:lr', 'params.lr ASC'],
      ['metric:val loss', 'metrics.`val loss` ASC'],
      ['tag:a-b', 'tags.`a-b` ASC'],
      ['attr:duration', null],
      ['metricmin:loss', null],
      ['param:we`ird', null],
    ];
    for (const [column, clause] of cases) {
      const got = orderByOf({ column, ascending: true });
      expect(got, column).toBe(clause);
      if (got) expect(parseOrderBy([got]).ok, got).toBe(true);
    }
    expect(orderByOf({ column: 'metric:acc', ascending: false })).toBe('metrics.acc DESC');
  });

  it('[TABLE-8] column ids keep any key; the name column is always first; the compare link lists the runs', () => {
    expect(parseColumn('tag:a:b:c')).toEqual({ kind: 'tag', key: 'a:b:c' });
    expect(parseColumn('attr:nope')).toBeNull();
    expect(shownColumns({ columns: null }, ['acc'])).toEqual(['attr:name', 'attr:status', 'attr:created', 'attr:duration', 'metric:acc']);
    expect(shownColumns({ columns: ['metric:acc', 'attr:name', 'metric:acc'] }, [])).toEqual(['attr:name', 'metric:acc']);
    expect(compareHref('42', ['a', 'b'])).toBe('/compare/?experiment=42&runs=a,b');
  });
});
