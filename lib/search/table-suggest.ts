/**
 * Key autocomplete for the runs filter box (TABLE-3): from the text and the caret, what the word being typed could
 * become. A bare word suggests the entity prefixes (`metrics.`, `params.`, `tags.`, `attributes.`, `datasets.`) and
 * the keys that start with it; after a prefix, that entity's keys from the experiment index (quoted with backticks
 * when they are not plain words). Pure: the UI renders the list and splices the chosen text in.
 */

export interface TableKeys {
  params: string[];
  metrics: string[];
  tags: string[];
}

export interface Suggestion {
  /** What the list shows. */
  label: string;
  /** Replaces text[from, to). */
  insert: string;
  from: number;
  to: number;
}

const ENTITIES: { prefix: string; keys: (k: TableKeys) => readonly string[] }[] = [
  { prefix: 'metrics.', keys: (k) => k.metrics },
  { prefix: 'params.', keys: (k) => k.params },
  { prefix: 'tags.', keys: (k) => k.tags },
  {
    prefix: 'attributes.',
    keys: () => ['run_id', 'run_name', 'status', 'user_id', 'start_time', 'end_time', 'artifact_uri', 'created'],
  },
  { prefix: 'datasets.', keys: () => ['name', 'digest', 'context'] },
];

/** A key as the filter grammar takes it. */
export function quoteKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(key) || key.includes('`') ? key : `\`${key}\``;
}

/** At most `limit` suggestions for the word that ends at `caret`. */
export function suggestKeys(text: string, caret: number, keys: TableKeys, limit = 12): Suggestion[] {
  const before = text.slice(0, caret);
  // The word under the caret: an identifier, maybe with a prefix and an opening backtick.
  const m = /([A-Za-z_][A-Za-z0-9_]*\.)?(`[^`]*|[A-Za-z0-9_.-]*)$/.exec(before);
  if (!m) return [];
  const from = caret - m[0].length;
  // Not after a comparator's value side: a word right after a quote char or a digit-only start is a value.
  const lead = before.slice(0, from).trimEnd();
  if (/[=<>!]$|\b(like|ilike|in)$/i.test(lead)) return [];
  let to = caret;
  while (to < text.length && /[A-Za-z0-9_.`-]/.test(text[to]!)) to++;
  const prefix = m[1]?.toLowerCase();
  const partial = m[2]!.replace(/^`/, '').toLowerCase();
  const out: Suggestion[] = [];
  const push = (label: string, insert: string) => {
    if (out.length < limit && !out.some((s) => s.insert === insert)) out.push({ label, insert, from, to });
  };
  const entity = prefix ? ENTITIES.find((e) => e.prefix === prefix || (prefix === 'metric.' && e.prefix === 'metrics.') || (prefix === 'param.' && e.prefix === 'params.') || (prefix === 'tag.' && e.prefix === 'tags.') || (prefix === 'attribute.' && e.prefix === 'attributes.')) : undefined;
  if (entity) {
    const starts = entity.keys(keys).filter((k) => k.toLowerCase().startsWith(partial));
    const contains = entity.keys(keys).filter((k) => !k.toLowerCase().startsWith(partial) && k.toLowerCase().includes(partial));
    for (const k of [...starts, ...contains]) push(entity.prefix + k, entity.prefix + quoteKey(k));
    return out;
  }
  if (prefix) return [];
  const word = m[0].toLowerCase();
  for (const e of ENTITIES) if (e.prefix.startsWith(word) && word.length < e.prefix.length) push(e.prefix, e.prefix);
  if (word.length >= 1) {
    for (const e of ENTITIES.slice(0, 3)) for (const k of e.keys(keys)) if (k.toLowerCase().startsWith(word)) push(e.prefix + k, e.prefix + quoteKey(k));
  }
  return out;
}
