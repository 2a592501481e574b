/**
 * The command template: Python's `str.format` as MLflow uses it (`command.format(**params)`), narrowed to what an
 * MLproject can mean. PROJ-S6.
 *
 * `{name}` is a parameter, `{{` and `}}` are literal braces. Python would also accept `{0}`, `{}`, `{a!r}`, `{a:>9}`,
 * `{a.x}` and `{a[0]}`, but MLflow passes keyword arguments only (so positional fields always fail there) and the
 * values are shell-quoted strings (so conversions, format specs and attribute or index access would reshape the
 * quoting): all of these are refused here, at parse time, instead of failing or misquoting at run time.
 */

export type TemplatePart = { text: string } | { param: string };

/** A template that `str.format` would refuse, or that asks for more than `{name}`; `index` is where in the text. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/** Split a command template into literal text and `{param}` references, or throw TemplateError. */
export function parseTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === '}') {
      if (template[i + 1] !== '}') throw new TemplateError("Single '}' encountered in format string", i);
      text += '}';
      i += 2;
      continue;
    }
    if (ch !== '{') {
      text += ch;
      i++;
      continue;
    }
    if (template[i + 1] === '{') {
      text += '{';
      i += 2;
      continue;
    }
    const close = template.indexOf('}', i + 1);
    if (i + 1 >= template.length) throw new TemplateError("Single '{' encountered in format string", i);
    if (close < 0) throw new TemplateError("expected '}' before end of string", i);
    const field = template.slice(i + 1, close);
    checkField(field, i);
    if (text) parts.push({ text });
    text = '';
    parts.push({ param: field });
    i = close + 1;
  }
  if (text) parts.push({ text });
  return parts;
}

function checkField(field: string, index: number): void {
  // Python's field name ends at the first of these; what follows is attribute/index access, conversion or spec.
  const end = field.search(/[.[!:{]/);
  const name = end < 0 ? field : field.slice(0, end);
  if (name === '' || /^[0-9]+$/.test(name)) {
    throw new TemplateError(`{${field}} is a positional field; MLflow fills the command by parameter name only ({name})`, index);
  }
  if (end >= 0) {
    throw new TemplateError(
      `{${field}} is not supported: a command refers to a parameter as {${name}} only (no conversions, format specs, attributes or indexes)`,
      index,
    );
  }
}

/** The names a template refers to, in order of first use. */
export function templateParams(parts: readonly TemplatePart[]): string[] {
  const names: string[] = [];
  for (const p of parts) if ('param' in p && !names.includes(p.param)) names.push(p.param);
  return names;
}
