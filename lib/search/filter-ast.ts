/** The parsed filter (SPEC SEARCH-1..13). Positions are 0-based offsets into the filter text. */

export type Entity = 'metric' | 'parameter' | 'tag' | 'attribute' | 'dataset';

export interface Span {
  position: number;
  length: number;
}

/** A number stays the text the user wrote (MLflow keeps `"0.94"`), with its value alongside. */
export type Value =
  | { type: 'number'; text: string; value: number }
  | { type: 'string'; value: string }
  | { type: 'list'; values: string[] }
  | { type: 'null' };

export interface Comparison {
  kind: 'compare';
  entity: Entity;
  /** The key as written, unquoted (`created` stays `created`; see `attributeColumn`). */
  key: string;
  /** Upper-cased: `=`, `!=`, `LIKE`, `IN`, `NOT IN`, `IS NULL`, ... — validity is checked by `checkFilter`. */
  comparator: string;
  value: Value;
  span: Span;
  keySpan: Span;
  comparatorSpan: Span;
  valueSpan: Span;
}

export type Expr =
  | Comparison
  | { kind: 'and'; args: Expr[]; span: Span }
  | { kind: 'or'; args: Expr[]; span: Span }
  | { kind: 'not'; arg: Expr; span: Span };

/** An empty filter matches every run. */
export type Filter = Expr | null;

export interface SearchError {
  code: 'INVALID_PARAMETER_VALUE';
  /** Which request field is wrong. */
  field: 'filter' | 'order_by' | 'page_token' | 'max_results' | 'run_view_type' | 'experiment_ids';
  message: string;
  /** 0-based offset into that field's text (for order_by: into `order_by[index]`). */
  position?: number;
  length?: number;
  /** For order_by: which clause of the list. */
  index?: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: SearchError };

/** Searchable run attributes (MLflow's `RunInfo.get_searchable_attributes()`) → the canonical attribute. */
export const ATTRIBUTE_KEYS: Readonly<Record<string, AttributeName>> = {
  run_id: 'run_id',
  run_name: 'run_name',
  user_id: 'user_id',
  status: 'status',
  start_time: 'start_time',
  end_time: 'end_time',
  artifact_uri: 'artifact_uri',
  created: 'start_time',
  Created: 'start_time',
  'run name': 'run_name',
  'Run name': 'run_name',
  'Run Name': 'run_name',
};
/** order_by takes the same attributes and `created`/`Created`, but not the `run name` aliases (MLflow). */
export const ORDER_BY_ATTRIBUTE_KEYS: readonly string[] = [
  'run_id', 'run_name', 'user_id', 'status', 'start_time', 'end_time', 'artifact_uri', 'created', 'Created',
];

export type AttributeName = 'run_id' | 'run_name' | 'user_id' | 'status' | 'start_time' | 'end_time' | 'artifact_uri';
export const NUMERIC_ATTRIBUTES: ReadonlySet<AttributeName> = new Set(['start_time', 'end_time']);
export const DATASET_KEYS: readonly string[] = ['name', 'digest', 'context'];

/** The attribute a (valid) attribute key stands for. */
export function attributeColumn(key: string): AttributeName {
  const a = Object.hasOwn(ATTRIBUTE_KEYS, key) ? ATTRIBUTE_KEYS[key] : undefined;
  if (!a) throw new Error(`not an attribute key: ${key}`);
  return a;
}

export function isNumericAttributeKey(key: string): boolean {
  return Object.hasOwn(ATTRIBUTE_KEYS, key) && NUMERIC_ATTRIBUTES.has(ATTRIBUTE_KEYS[key]!);
}
