import { describe, expect, it } from 'vitest';
import { parseFilter, parseOrderBy, parseOrderClause, validateFilter, type Expr, type Filter } from '@/lib/search';

/** MLflow's parse_search_filter output for an AND-only filter: `[{type, key, comparator, value}]`. */
function clauses(text: string): unknown[] {
  const p = validateFilter(text);
  if (!p.ok) throw new Error(`expected ${text} to parse: ${p.error.message}`);
  const flat = (e: Filter): Expr[] => (e === null ? [] : e.kind === 'and' ? e.args.flatMap(flat) : [e]);
  return flat(p.value).map((e) => {
    if (e.kind !== 'compare') throw new Error(`not a comparison: ${e.kind}`);
    const v = e.value;
    const value = v.type === 'number' ? v.text : v.type === 'string' ? v.value : v.type === 'list' ? v.values : null;
    return { type: e.entity, key: e.key, comparator: e.comparator, value };
  });
}

function error(text: string, dialect: 'cairn' | 'mlflow' = 'cairn') {
  const p = validateFilter(text, { dialect });
  if (p.ok) throw new Error(`expected ${text} to be refused`);
  expect(p.error.code).toBe('INVALID_PARAMETER_VALUE');
  expect(p.error.field).toBe('filter');
  return p.error;
}

describe('reference §2.3 cases', () => {
  it('[SEARCH-6] #1 metric.acc >= 0.94: the value stays a string', () => {
    expect(clauses('metric.acc >= 0.94')).toEqual([{ type: 'metric', key: 'acc', comparator: '>=', value: '0.94' }]);
    expect(clauses('metric.acc>=100')).toEqual([{ type: 'metric', key: 'acc', comparator: '>=', value: '100' }]);
  });

  it('[SEARCH-4] #2 params."cat dog" = "pets"', () => {
    expect(clauses('params."cat dog" = "pets"')).toEqual([{ type: 'parameter', key: 'cat dog', comparator: '=', value: 'pets' }]);
    expect(clauses(`params.m!='tf'`)).toEqual([{ type: 'parameter', key: 'm', comparator: '!=', value: 'tf' }]);
    expect(clauses(`params."m"!="tf"`)).toEqual([{ type: 'parameter', key: 'm', comparator: '!=', value: 'tf' }]);
  });

  it('[SEARCH-4] #3 metrics."X//Y#$$@&Z" = 3, and other quoted keys with dots and dashes', () => {
    expect(clauses('metrics."X//Y#$$@&Z" = 3')).toEqual([{ type: 'metric', key: 'X//Y#$$@&Z', comparator: '=', value: '3' }]);
    expect(clauses('metrics."X-Y-Z" = 3')[0]).toMatchObject({ key: 'X-Y-Z' });
    expect(clauses('metrics."accuracy.2.0" > 5')[0]).toMatchObject({ key: 'accuracy.2.0' });
    expect(clauses(`params.'p.a.r.a.m' != "a"`)[0]).toMatchObject({ type: 'parameter', key: 'p.a.r.a.m' });
    expect(clauses(`tags."t.a.g" = "a"`)[0]).toMatchObject({ type: 'tag', key: 't.a.g' });
  });

  it('[SEARCH-1] #4 two clauses joined by a lower-case and', () => {
    expect(clauses("metrics.rmse < 1 and params.model_class = 'LR'")).toEqual([
      { type: 'metric', key: 'rmse', comparator: '<', value: '1' },
      { type: 'parameter', key: 'model_class', comparator: '=', value: 'LR' },
    ]);
  });

  it('[SEARCH-3] #5 a backtick key and a backtick entity', () => {
    expect(clauses('metrics.`spacey name` > 5')).toEqual([{ type: 'metric', key: 'spacey name', comparator: '>', value: '5' }]);
    expect(clauses('`metric`.a >= 0.1')).toEqual([{ type: 'metric', key: 'a', comparator: '>=', value: '0.1' }]);
    expect(clauses("`tags`.source_name = 'a notebook'")).toEqual([{ type: 'tag', key: 'source_name', comparator: '=', value: 'a notebook' }]);
  });

  it('[SEARCH-3] #6 run.status is the attribute status', () => {
    expect(clauses("run.status = 'RUNNING'")).toEqual([{ type: 'attribute', key: 'status', comparator: '=', value: 'RUNNING' }]);
    expect(clauses("attribute.artifact_uri = '1/23/4'")[0]).toMatchObject({ type: 'attribute', key: 'artifact_uri', value: '1/23/4' });
    expect(clauses('attribute.start_time >= 1234')[0]).toMatchObject({ type: 'attribute', key: 'start_time', value: '1234' });
  });

  it('[SEARCH-5] #7 dataset.name', () => {
    expect(clauses("dataset.name = 'my_dataset'")).toEqual([{ type: 'dataset', key: 'name', comparator: '=', value: 'my_dataset' }]);
  });

  it('[SEARCH-2] #8 a quote of the other kind inside a string is kept', () => {
    expect(clauses(`params.m = "L'Hosp"`)[0]).toMatchObject({ value: "L'Hosp" });
    expect(clauses(`params.m = 'LR'`)[0]).toMatchObject({ value: 'LR' });
    // MLflow decodes no escapes: the text between the outer quotes, verbatim.
    expect(clauses(`params.m = 'it''s'`)[0]).toMatchObject({ value: "it''s" });
  });

  it('[SEARCH-15] #9 OR: refused in the mlflow dialect, an extension in ours', () => {
    expect(error("metrics.A > 0.1 OR params.B = 'LR'", 'mlflow').message).toContain('Invalid clause(s) in filter string');
    const p = parseFilter("metrics.A > 0.1 OR params.B = 'LR'");
    expect(p.ok && p.value?.kind).toBe('or');
  });

  it('[SEARCH-15] #10 parentheses: refused in the mlflow dialect, an extension in ours', () => {
    const e = error("metrics.A > 0.1 AND (params.B = 'LR')", 'mlflow');
    expect(e.message).toContain('Invalid clause(s)');
    expect(e.position).toBe(20);
    expect(parseFilter("metrics.A > 0.1 AND (params.B = 'LR')").ok).toBe(true);
  });

  it('[SEARCH-1] #11 a second expression after ; is refused', () => {
    const e = error('metric.acc >= 0.94; metrics.rmse < 1');
    expect(e.message).toContain('Search filter contained multiple expression');
    expect(e.position).toBe(18);
    expect(error('metric.acc >= 0.94;').message).toContain("Invalid clause(s) in filter string: ';'");
  });

  it('[SEARCH-5] #12 unknown attribute keys, experiment_id and lifecycle_stage are refused', () => {
    for (const f of ['acc >= 0.94', "attribute.lifecycle_stage = 'ACTIVE'", 'attribute.experiment_id != 1', "model >= 'LR'",
      'attribute.start != 1', 'attribute.name != 1', "attribute._status != 'RUNNING'", 'acc != 1.0', 'foo is null']) {
      expect(error(f).message, f).toContain('Invalid attribute key');
    }
    expect(error('acc >= 0.94').message).toContain('metrics.acc');
  });

  it('[SEARCH-3] #13 unknown entity types are refused', () => {
    for (const f of ['m.acc >= 0.94', "p.model >= 'LR'", 'attri.x != 1', 'a.x != 1', 'Metrics.x > 1']) {
      expect(error(f).message, f).toContain('Invalid entity type');
    }
    expect(error('m.acc >= 0.94')).toMatchObject({ position: 0, length: 1 });
  });

  it('[SEARCH-6] #14 a metric takes an unquoted number', () => {
    for (const f of ["metric.model = '5'", "metric.model = 'LR'", 'metrics.acc != metrics.acc']) {
      expect(error(f).message, f).toContain('Expected numeric value type for metric');
    }
    expect(error("attribute.start_time > '5'").message).toContain('Expected numeric value type for numeric attribute: start_time');
    expect(error("metric.model = '5'")).toMatchObject({ position: 15, length: 3 });
  });

  it('[SEARCH-6] #15 params and tags take quoted strings; bare words and backticks are not quotes', () => {
    expect(error('params.acc = 5', 'mlflow').message).toContain('Expected a quoted string value for param');
    expect(error('tags.acc = 5').message).toContain('Expected a quoted string value for tag');
    expect(error('attribute.status = 1').message).toContain('Expected a quoted string value for attributes');
    for (const f of ['params.acc = `LR`', 'params.acc = LR', 'tags.acc = LR']) {
      expect(error(f).message, f).toContain('value is either not quoted or unidentified quote types');
    }
    expect(error('params.acc = `LR`')).toMatchObject({ position: 13, length: 4 });
  });

  it("[SEARCH-6] #16 a clause must start with a key: 1=1 is 'Expected Identifier'", () => {
    for (const f of ['1=1', '1==2', '1.0 > metrics.acc']) expect(error(f).message, f).toContain("Expected 'Identifier' found");
  });

  it('[SEARCH-5] #17 unknown dataset keys are refused', () => {
    expect(error("dataset.profile = 'x'").message).toContain('Invalid dataset key');
    expect(error("dataset.status = 'true'").message).toContain('Invalid dataset key');
  });

  it('[SEARCH-8] #18 datasets.name IN a list of strings', () => {
    expect(clauses("datasets.name IN ('name1','name2')")).toEqual([{ type: 'dataset', key: 'name', comparator: 'IN', value: ['name1', 'name2'] }]);
    expect(clauses("datasets.context NOT IN ('train')")[0]).toMatchObject({ comparator: 'NOT IN', value: ['train'] });
    expect(clauses("run_id in ('a', 'b',)")[0]).toMatchObject({ comparator: 'IN', value: ['a', 'b'] });
  });

  it('[SEARCH-16] #19 order_by: bad direction word, comparisons and stray whitespace are refused', () => {
    const acs = parseOrderClause('attribute.run_id ACS');
    expect(!acs.ok && acs.error.message).toContain('Invalid ordering key');
    expect(!acs.ok && acs.error.position).toBe(17);
    for (const o of ['metrics.A != 1', 'params.my_param ', '`metrics.A', '']) {
      const p = parseOrderClause(o);
      expect(!p.ok && p.error.message, o).toContain('Invalid order_by clause');
    }
    const decs = parseOrderClause('attribute.run_id decs');
    expect(!decs.ok && decs.error.message).toContain('Invalid ordering key');
  });
  // #20 (page tokens) is in search-eval.test.ts, where there are runs to page through.
});

describe('filter syntax', () => {
  it('[SEARCH-1] empty and whitespace filters match everything; stray ANDs are ignored as MLflow does', () => {
    expect(parseFilter('')).toEqual({ ok: true, value: null });
    expect(parseFilter('   ')).toEqual({ ok: true, value: null });
    expect(clauses("AND params.a = 'x' AND AND tags.b = 'y' AND")).toHaveLength(2);
  });

  it('[SEARCH-1] text after a complete clause that is not AND/OR is refused where it starts', () => {
    const e = error("metrics.A > 0.1 NAND params.B = 'LR'");
    expect(e.position).toBe(16);
    expect(error("metrics.A > 0.1 NAND params.B = 'LR'", 'mlflow').message).toContain('Invalid clause(s) in filter string');
    for (const f of ['params.acc LR !=', 'params.acc LR', 'metric.acc !=', "tags.acc = = 'LR'", "attribute.status IS 'RUNNING'"]) error(f);
  });

  it('[SEARCH-2] unclosed quotes are refused at the quote', () => {
    for (const [f, at] of [["params.'acc = LR", 7], ["params.acc = 'LR", 13], ['params.acc = "LR\'', 13], ['`metrics.A > 0.1', 0]] as const) {
      const e = error(f);
      expect(e.message, f).toContain('Unclosed');
      expect(e.position, f).toBe(at);
    }
    expect(error("params.acc = LR'").message).toContain('Unclosed');
    expect(error('param`.A > 0.1').position).toBe(5);
  });

  it('[SEARCH-2] a run of comparator characters is one comparator, refused with a hint', () => {
    const e = error('metrics.a == 1');
    expect(e.message).toContain("Invalid comparator '=='");
    expect(e.message).toContain("Use '='");
    expect(e).toMatchObject({ position: 10, length: 2 });
    expect(error('metrics.a <> 1').message).toContain("'!='");
    expect(error('metrics.abc ~= 1').message).toContain('Invalid comparator');
    expect(clauses('metrics.a>-1')[0]).toMatchObject({ comparator: '>', value: '-1' });
    expect(clauses('metrics.a > 1E-3')[0]).toMatchObject({ value: '1E-3' });
    expect(clauses('metrics.a > .5')[0]).toMatchObject({ value: '.5' });
  });

  it('[SEARCH-4] bare dotted keys, digits, dashes and spaces', () => {
    expect(clauses('metrics.val.loss < 1')[0]).toMatchObject({ key: 'val.loss' });
    expect(clauses('metrics.1a < 1')[0]).toMatchObject({ key: '1a' });
    expect(error('metrics.1 < 1').message).toContain('must be quoted');
    const dash = error('metrics.my-metric < 1');
    expect(dash.message).toContain('quoted');
    expect(dash.position).toBe(10);
    expect(error('metrics. a < 1').message).toContain('Expected a key');
    expect(error('`metrics.A` > 1').message).toContain('Invalid entity type');
    // A quoted key is the whole key: nothing may be glued after it.
    expect(error('metrics.`a`.b < 1').position).toBe(11);
  });

  it('[SEARCH-5] attribute aliases: created, Created, run name', () => {
    expect(clauses('created > 5')[0]).toMatchObject({ type: 'attribute', key: 'created' });
    expect(clauses('Created > 5')[0]).toMatchObject({ key: 'Created' });
    expect(clauses('attributes.`Run Name` = "x"')[0]).toMatchObject({ key: 'Run Name' });
    expect(clauses(`"run name" LIKE 'a%'`)[0]).toMatchObject({ key: 'run name', comparator: 'LIKE' });
    expect(error("created = 'x'").message).toContain('numeric');
  });

  it('[SEARCH-7] comparators per target are checked (MLflow: when evaluating); LIKE is case-insensitive', () => {
    const bad: [string, string][] = [
      ['metrics.abc LIKE 1', 'LIKE'], ["params.abc > 'v'", '>'], ["tags.abc <= 'v'", '<='], ["attributes.status > 'v'", '>'],
      ['attributes.start_time LIKE 1234', 'LIKE'], ["datasets.name >= 'd'", '>='], ["params.abc NOT LIKE 'v'", 'NOT LIKE'],
      ["attributes.status IN ('a')", ''],
    ];
    for (const [f, c] of bad) {
      expect(parseFilter(f).ok || f.includes('IN (') , f).toBe(true);
      expect(error(f).message, f).toMatch(c ? `Invalid comparator '${c}'` : /run_id/);
    }
    expect(error("params.lr > '0.1'").message).toContain('params.lr > 0.1');
    expect(clauses("params.a like 'x%'")[0]).toMatchObject({ comparator: 'LIKE' });
    expect(clauses("tags.a ILike 'x%'")[0]).toMatchObject({ comparator: 'ILIKE' });
    expect(error("run_id = ('a')").message).toContain('use IN or NOT IN');
  });

  it('[SEARCH-8] lists: non-empty, single-quoted strings only, run_id and datasets only', () => {
    expect(error('run_id IN ()').message).toContain('non-empty list');
    expect(error(`run_id IN ("a")`).message).toContain('single-quoted');
    expect(error('run_id IN (1, 2)').message).toContain('single-quoted');
    expect(error("run_id IN 'a'").message).toContain('parentheses');
    expect(error("params.a IN ('x')").message).toContain('run_id');
    expect(error("run_id IN ('a' 'b')").message).toContain("Expected ','");
  });

  it('[SEARCH-9] IS NULL / IS NOT NULL on params and tags only', () => {
    expect(clauses('tags.version IS NULL')).toEqual([{ type: 'tag', key: 'version', comparator: 'IS NULL', value: null }]);
    expect(clauses("params.lr is not null AND params.b = 'val'")[0]).toMatchObject({ comparator: 'IS NOT NULL' });
    expect(error('metrics.acc IS NULL').message).toContain('IS NULL / IS NOT NULL is only supported for tags and params');
    expect(error('attribute.status IS NULL').message).toContain('only supported for tags and params');
  });

  it('[SEARCH-14] a number for a param is a numeric comparison; the mlflow dialect refuses it', () => {
    expect(clauses('params.lr > 0.001')).toEqual([{ type: 'parameter', key: 'lr', comparator: '>', value: '0.001' }]);
    expect(error('params.lr > 0.001', 'mlflow').message).toContain('Expected a quoted string value for param');
    expect(error('params.lr LIKE 1').message).toContain("Invalid comparator 'LIKE'");
  });

  it('[SEARCH-15] precedence: NOT, then AND, then OR; NOT IN stays a comparator', () => {
    const p = parseFilter("params.a = 'x' OR NOT params.b = 'y' AND tags.c = 'z'");
    expect(p.ok).toBe(true);
    if (!p.ok || !p.value || p.value.kind !== 'or') throw new Error('expected or');
    expect(p.value.args.map((a) => a.kind)).toEqual(['compare', 'and']);
    const and = p.value.args[1]!;
    expect(and.kind === 'and' && and.args.map((a) => a.kind)).toEqual(['not', 'compare']);
    const notIn = parseFilter("run_id NOT IN ('a')");
    expect(notIn.ok && notIn.value?.kind).toBe('compare');
    expect(error("NOT params.a = 'x'", 'mlflow').message).toContain("Invalid clause(s) in filter string: 'NOT'");
  });

  it('[SEARCH-15] unbalanced or empty parentheses and dangling OR are refused with a position', () => {
    expect(error("(params.a = 'x'").message).toContain("Missing ')'");
    expect(error("params.a = 'x')").message).toContain("Unmatched ')'");
    expect(error('()').position).toBe(1);
    expect(error("params.a = 'x' OR").message).toContain('after OR');
    expect(error("OR params.a = 'x'").message).toContain('before OR');
  });

  it('[SEARCH-23] every refusal is a value with a 0-based position inside the text', () => {
    const samples = ['m.acc >= 0.94', "params.a = 'x' AND tags.b LIKE", "params.a = 'x' AND ((", "metrics.x > 'a' OR y = 1", 'é', 'metrics.a < 1 AND metrics.b €'];
    for (const f of samples) {
      const e = error(f);
      expect(e.position, f).toBeGreaterThanOrEqual(0);
      expect(e.position!, f).toBeLessThanOrEqual(f.length);
      expect(e.message.length, f).toBeGreaterThan(10);
    }
  });
});

describe('order_by', () => {
  it('[SEARCH-16] identifiers with any quoting and an optional direction in any case', () => {
    for (const [o, asc] of [['metrics.`Mean Square Error`', true], ['metrics.`Mean Square Error` ASC', true], ['metrics.`Mean Square Error` DESC', false]] as const) {
      expect(parseOrderClause(o)).toEqual({ ok: true, value: { entity: 'metric', key: 'Mean Square Error', ascending: asc } });
    }
    expect(parseOrderClause('metrics."key1"  desc')).toEqual({ ok: true, value: { entity: 'metric', key: 'key1', ascending: false } });
    expect(parseOrderClause('params.my_param aSc')).toEqual({ ok: true, value: { entity: 'parameter', key: 'my_param', ascending: true } });
    const list = parseOrderBy(['tags.t', 'attribute.run_id ACS']);
    expect(!list.ok && list.error.index).toBe(1);
  });

  it('[SEARCH-17] orderable targets: created yes, run name and datasets no, invalid entity and key', () => {
    expect(parseOrderClause('created DESC')).toEqual({ ok: true, value: { entity: 'attribute', key: 'created', ascending: false } });
    for (const [o, msg] of [['m.acc', 'Invalid entity type'], ['acc', 'Invalid attribute key'], ['attri.x', 'Invalid entity type'],
      ['`metrics.A`', 'Invalid entity type'], ['attribute.start', 'Invalid attribute key'], ['attribute.experiment_id', 'Invalid attribute key'],
      ['attributes.`run name`', 'Invalid attribute key'], ['datasets.name', 'Invalid order_by entity type']] as const) {
      const p = parseOrderClause(o);
      expect(!p.ok && p.error.message, o).toContain(msg);
    }
  });
});
