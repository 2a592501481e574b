/**
 * The runs table's view: what a person chose to see (filter, sort, columns, grouping, selection, pins, hidden runs,
 * the deleted-runs toggle), as one plain value. It travels three ways with one encoding: in the page URL (a link
 * reproduces the view), in a saved view of the workspace doc (lib/doc views.ts stores the same query string), and to
 * the data worker (table-api.ts builds the shown list from it). Pure: no React, no Yjs.
 *
 * Column ids are `<kind>:<key>`: `attr:name|status|created|duration|user|source|version|dataset`, `param:<key>`,
 * `metric:<key>` (latest value), `metricmin:<key>`, `metricmax:<key>`, `tag:<key>`. The kind ends at the first colon,
 * so any key (colons, dots, spaces included) round-trips.
 */

export const ATTRIBUTE_COLUMNS = ['name', 'status', 'created', 'duration', 'user', 'source', 'version', 'dataset'] as const;
export type AttributeColumn = (typeof ATTRIBUTE_COLUMNS)[number];
export const COLUMN_KINDS = ['attr', 'param', 'metric', 'metricmin', 'metricmax', 'tag'] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

export interface ColumnRef {
  kind: ColumnKind;
  key: string;
}

export interface TableSort {
  column: string;
  ascending: boolean;
}

export interface TableView {
  /** MLflow search syntax (lib/search), '' = all runs. */
  filter: string;
  sort: TableSort | null;
  /** Column ids in order; null = the default (name, status, created, duration and every metric's latest value). */
  columns: string[] | null;
  /** `param:<key>` or `tag:<key>`, or null. */
  groupBy: string | null;
  selected: string[];
  pinned: string[];
  hidden: string[];
  /** Show hidden runs (dimmed) instead of leaving them out. */
  showHidden: boolean;
  /** The deleted runs instead of the active ones. */
  deleted: boolean;
}

export const EMPTY_VIEW: TableView = Object.freeze({
  filter: '',
  sort: null,
  columns: null,
  groupBy: null,
  selected: [],
  pinned: [],
  hidden: [],
  showHidden: false,
  deleted: false,
}) as TableView;

/** Attribute columns shown when the view names none. */
export const DEFAULT_ATTRIBUTE_COLUMNS: readonly AttributeColumn[] = ['name', 'status', 'created', 'duration'];

/** Parses a column id; null when it is not one. */
export function parseColumn(id: string): ColumnRef | null {
  if (typeof id !== 'string') return null;
  const i = id.indexOf(':');
  if (i <= 0) return null;
  const kind = id.slice(0, i) as ColumnKind;
  const key = id.slice(i + 1);
  if (!(COLUMN_KINDS as readonly string[]).includes(kind) || key === '') return null;
  if (kind === 'attr' && !(ATTRIBUTE_COLUMNS as readonly string[]).includes(key)) return null;
  return { kind, key };
}

export const columnId = (kind: ColumnKind, key: string): string => `${kind}:${key}`;

/** The columns a view shows: its own (valid ones, no repeats, the run name always first), or the default. */
export function shownColumns(view: Pick<TableView, 'columns'>, metricKeys: readonly string[]): string[] {
  const ids = view.columns ?? [...DEFAULT_ATTRIBUTE_COLUMNS.map((a) => columnId('attr', a)), ...metricKeys.map((k) => columnId('metric', k))];
  const out = ['attr:name'];
  for (const id of ids) if (!out.includes(id) && parseColumn(id)) out.push(id);
  return out;
}

/** MLflow's identifier quoting: a plain word as it is, anything else in backticks (null: cannot be written). */
function identifier(entity: string, key: string): string | null {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `${entity}.${key}`;
  if (key.includes('`')) return null;
  return `${entity}.\`${key}\``;
}

const ATTRIBUTE_ORDER: Partial<Record<AttributeColumn, string>> = {
  name: 'attributes.run_name',
  status: 'attributes.status',
  created: 'attributes.start_time',
  user: 'attributes.user_id',
};
/** The run tags MLflow's UI shows as the Source and Version columns. */
export const SOURCE_TAG = 'mlflow.source.name';
export const VERSION_TAG = 'mlflow.source.git.commit';
export const PARENT_TAG = 'mlflow.parentRunId';

/**
 * The MLflow order_by clause that sorts by a column, or null when MLflow's grammar has none (duration, dataset, a
 * metric's min or max, a key with a backtick): the worker sorts those itself (table-list.ts).
 */
export function orderByOf(sort: TableSort | null): string | null {
  if (!sort) return null;
  const c = parseColumn(sort.column);
  if (!c) return null;
  let id: string | null = null;
  if (c.kind === 'attr') {
    if (c.key === 'source') id = identifier('tags', SOURCE_TAG);
    else if (c.key === 'version') id = identifier('tags', VERSION_TAG);
    else id = ATTRIBUTE_ORDER[c.key as AttributeColumn] ?? null;
  } else if (c.kind === 'param') id = identifier('params', c.key);
  else if (c.kind === 'metric') id = identifier('metrics', c.key);
  else if (c.kind === 'tag') id = identifier('tags', c.key);
  return id === null ? null : `${id} ${sort.ascending ? 'ASC' : 'DESC'}`;
}

/** A column's header as the table (and the CSV export) shows it. */
export function columnLabel(id: string): string {
  const c = parseColumn(id);
  if (!c) return id;
  switch (c.kind) {
    case 'attr':
      return ATTRIBUTE_LABELS[c.key as AttributeColumn];
    case 'param':
      return `param ${c.key}`;
    case 'metric':
      return `metric ${c.key}`;
    case 'metricmin':
      return `metric ${c.key} (min)`;
    case 'metricmax':
      return `metric ${c.key} (max)`;
    case 'tag':
      return `tag ${c.key}`;
  }
}

export const ATTRIBUTE_LABELS: Record<AttributeColumn, string> = {
  name: 'Run Name',
  status: 'Status',
  created: 'Created',
  duration: 'Duration',
  user: 'User',
  source: 'Source',
  version: 'Version',
  dataset: 'Dataset',
};

// ---- the URL ---------------------------------------------------------------------------------------------------

/** Query parameters the view owns (others, like the page's `id`, are left as they are). */
export const VIEW_PARAMS = ['q', 'sort', 'desc', 'col', 'group', 'sel', 'pin', 'hide', 'showhidden', 'deleted', 'cols'] as const;

const uniq = (xs: readonly string[]) => [...new Set(xs.filter((x) => typeof x === 'string' && x !== ''))];
/** Run ids are 32 hex digits; anything else in a URL is dropped rather than carried. */
const RUN_ID = /^[0-9A-Za-z_-]{1,64}$/;
const runIds = (xs: readonly string[]) => uniq(xs).filter((x) => RUN_ID.test(x));

/**
 * Writes the view into `params` (which may hold other parameters: they stay), leaving out what equals the default,
 * so the plain table's URL is just `?id=`. Lists are repeated parameters (`col=a&col=b`): no separator to escape.
 */
export function writeViewParams(view: TableView, params: URLSearchParams): URLSearchParams {
  for (const p of VIEW_PARAMS) params.delete(p);
  if (view.filter) params.set('q', view.filter);
  if (view.sort && parseColumn(view.sort.column)) {
    params.set('sort', view.sort.column);
    if (!view.sort.ascending) params.set('desc', '1');
  }
  if (view.columns) {
    // `cols=1` marks an explicit list, so an empty choice (name only) is kept too.
    params.set('cols', '1');
    for (const c of view.columns) if (parseColumn(c)) params.append('col', c);
  }
  if (view.groupBy && isGroupable(view.groupBy)) params.set('group', view.groupBy);
  for (const id of runIds(view.selected)) params.append('sel', id);
  for (const id of runIds(view.pinned)) params.append('pin', id);
  for (const id of runIds(view.hidden)) params.append('hide', id);
  if (view.showHidden) params.set('showhidden', '1');
  if (view.deleted) params.set('deleted', '1');
  return params;
}

/** Reads a view from query parameters; anything malformed falls back to the default of that part. */
export function readViewParams(params: Pick<URLSearchParams, 'get' | 'getAll'>): TableView {
  const sortCol = params.get('sort');
  const group = params.get('group');
  const explicitCols = params.get('cols') === '1' || params.getAll('col').length > 0;
  return {
    filter: params.get('q') ?? '',
    sort: sortCol && parseColumn(sortCol) ? { column: sortCol, ascending: params.get('desc') !== '1' } : null,
    columns: explicitCols ? uniq(params.getAll('col')).filter((c) => parseColumn(c) !== null) : null,
    groupBy: group && isGroupable(group) ? group : null,
    selected: runIds(params.getAll('sel')),
    pinned: runIds(params.getAll('pin')),
    hidden: runIds(params.getAll('hide')),
    showHidden: params.get('showhidden') === '1',
    deleted: params.get('deleted') === '1',
  };
}

/** The view as a query string (no `?`), the form saved views store. */
export function encodeView(view: TableView): string {
  return writeViewParams(view, new URLSearchParams()).toString();
}

export function decodeView(query: string): TableView {
  return readViewParams(new URLSearchParams(query));
}

/** Groups are by a param or a tag. */
export function isGroupable(id: string): boolean {
  const c = parseColumn(id);
  return c !== null && (c.kind === 'param' || c.kind === 'tag');
}

/** The link of the compare page for selected runs. */
export function compareHref(experimentId: string, runIds: readonly string[]): string {
  return `/compare/?experiment=${encodeURIComponent(experimentId)}&runs=${runIds.map(encodeURIComponent).join(',')}`;
}
