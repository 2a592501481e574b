import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from '@/lib/search/table-csv';
import { buildList, type ListOptions, type ListRow } from '@/lib/search/table-list';

const base = (i: number, over: Partial<ListRow> = {}): ListRow => ({
  runId: `id${i}`,
  runName: `r${i}`,
  userId: 'ann',
  status: 'FINISHED',
  startTime: Date.UTC(2026, 0, 2, 3, 4, 5),
  endTime: Date.UTC(2026, 0, 2, 3, 4, 5) + 1500,
  params: {},
  tags: {},
  metrics: {},
  datasets: [],
  ...over,
});

const OPTS: ListOptions = { sort: null, sorted: true, groupBy: null, pinned: [], hidden: [], showHidden: false, expanded: [], collapsedGroups: [], columns: [], everything: true };

/** Parses RFC 4180 text back into rows (the test's own reader, strict about quotes). */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      out.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (ch === '"' || ch === '\n' || ch === '\r') {
      throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== '' || row.length) throw new Error('no CRLF after the last line');
  return out;
}

describe('runs table CSV (lib/search table-csv.ts)', () => {
  it('[TABLE-5] quotes what must be quoted and reads back to the exact values', () => {
    const nasty = ['a,b', 'say "hi"', 'two\nlines', 'cr\rhere', ' edge ', 'plain', ''];
    expect(nasty.map(csvField)).toEqual(['"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\rhere"', '" edge "', 'plain', '']);
    const rows = nasty.map((v, i) => base(i, { runName: v || `r${i}`, params: { p: v } }));
    const csv = toCsv(rows, buildList(rows, rows.map((_, i) => i), OPTS).entries, ['attr:name', 'param:p'], null);
    const back = parseCsv(csv);
    expect(back[0]).toEqual(['Run Name', 'param p']);
    expect(back.slice(1).map((r) => r[1])).toEqual(nasty);
  });

  it('[TABLE-5] exactly the shown columns in the shown order, every run of the list, typed cells', () => {
    const rows = [
      base(0, { params: { lr: '0.1' }, metrics: { acc: { latest: 0.123456789, min: 0.1, max: 0.2, count: 3 } }, tags: { 'mlflow.source.name': 'train.py' } }),
      base(1, { endTime: null, status: 'RUNNING', metrics: { acc: { latest: NaN, min: NaN, max: NaN, count: 1 } }, datasets: [{ name: 'mnist', digest: 'd', context: 'train' }] }),
      base(2, { runName: '=HYPERLINK("x")', params: { lr: '-0.5' } }),
    ];
    const columns = ['attr:name', 'metric:acc', 'attr:created', 'attr:duration', 'param:lr', 'metricmax:acc', 'attr:source', 'attr:dataset'];
    const csv = toCsv(rows, buildList(rows, [2, 1, 0], OPTS).entries, columns, null);
    expect(parseCsv(csv)).toEqual([
      ['Run Name', 'metric acc', 'Created', 'Duration (s)', 'param lr', 'metric acc (max)', 'Source', 'Dataset'],
      ["'=HYPERLINK(\"x\")", '', '2026-01-02T03:04:05.000Z', '1.5', '-0.5', '', '', ''],
      ['r1', 'NaN', '2026-01-02T03:04:05.000Z', '', '', 'NaN', '', 'mnist (train)'],
      ['r0', '0.123456789', '2026-01-02T03:04:05.000Z', '1.5', '0.1', '0.2', 'train.py', ''],
    ]);
  });

  it('[TABLE-5] grouped: a leading group column; collapsed groups and children of collapsed parents still exported; hidden runs not', () => {
    const rows = [base(0, { params: { opt: 'adam' } }), base(1, { params: { opt: 'sgd' } }), base(2, { params: { opt: 'adam' } }), base(3, { params: {}, parentRunId: 'id0' })];
    const grouped = buildList(rows, [0, 1, 2, 3], { ...OPTS, groupBy: 'param:opt', collapsedGroups: ['v:adam'], hidden: ['id1'] });
    expect(parseCsv(toCsv(rows, grouped.entries, ['attr:name'], 'param:opt'))).toEqual([['param opt', 'Run Name'], ['adam', 'r0'], ['adam', 'r2'], ['', 'r3']]);
    const nested = buildList(rows, [0, 1, 2, 3], { ...OPTS, expanded: [] });
    expect(parseCsv(toCsv(rows, nested.entries, ['attr:name'], null)).map((r) => r[0])).toEqual(['Run Name', 'r0', 'r3', 'r1', 'r2']);
  });
});
