/**
 * From an entry point and the `-P` values to the one shell line the runner hands to `/bin/sh -c`: MLflow's
 * `EntryPoint.compute_parameters` / `compute_command` (mlflow/projects/_project_spec.py). PROJ-P*.
 */
import { CairnError } from '@/lib/domain';
import { shellQuote } from './quote';
import { TemplateError, parseTemplate } from './template';
import type { EntryPointSpec } from './types';

/** Typed values for every declared parameter, and the extras (given but not declared), in the order given. */
export interface ResolvedParams {
  declared: Record<string, string>;
  extra: Record<string, string>;
}

/** `urllib.parse.urlparse(v).scheme` is non-empty (MLflow's `data_utils.is_uri`): a letter, then letters, digits, `+.-`, then `:`. */
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

function invalid(message: string, details?: Record<string, unknown>): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', message, details);
}

/**
 * Every declared parameter's value (given, else its default), checked by type; missing required ones refused all at
 * once before any value is resolved (so no `path` is downloaded for a run that cannot start).
 * `float` is not checked — MLflow does not check it either (PROJ-P3); `uri` must have a scheme; `path` goes through
 * the caller's `resolvePath`, which makes a local path absolute (and refuses one that does not exist) or downloads a
 * remote one.
 */
export function resolveParams(
  ep: EntryPointSpec,
  given: Record<string, string>,
  opts: { resolvePath(value: string): string },
): ResolvedParams {
  const has = (name: string) => Object.prototype.hasOwnProperty.call(given, name);
  for (const name of Object.keys(given)) {
    if (name === '') throw invalid('A parameter name must not be empty (write -P name=value)');
    if (name === '__proto__') throw invalid("'__proto__' is reserved and cannot be a parameter name");
  }
  const missing = ep.parameters.filter((p) => !has(p.name) && p.default === undefined).map((p) => `'${p.name}'`);
  if (missing.length) throw invalid(`No value given for missing parameters: ${missing.join(', ')}`, { missing: missing.map((m) => m.slice(1, -1)) });
  const declared: Record<string, string> = {};
  for (const p of ep.parameters) {
    const value = has(p.name) ? given[p.name]! : p.default!;
    if (p.type === 'uri' && !URI_SCHEME.test(value)) throw invalid(`Expected URI for parameter ${p.name} but got ${value}`, { parameter: p.name });
    declared[p.name] = p.type === 'path' ? opts.resolvePath(value) : value;
  }
  const extra: Record<string, string> = {};
  for (const name of Object.keys(given)) if (!ep.parameters.some((p) => p.name === name)) extra[name] = given[name]!;
  return { declared, extra };
}

/**
 * The shell line: each `{name}` replaced by `shellQuote(value)`, then each extra appended as `--key value` with both
 * words quoted (MLflow leaves the key bare; a hostile key must not reach the shell either). The line means exactly
 * one argv to `/bin/sh -c`: no value is ever interpreted by the shell (PROJ-P5).
 */
export function buildCommand(ep: EntryPointSpec, params: ResolvedParams): string {
  let parts;
  try {
    parts = parseTemplate(ep.command);
  } catch (e) {
    if (e instanceof TemplateError) throw invalid(`Entry point '${ep.name}': command: ${e.message}`);
    throw e;
  }
  const line = parts
    .map((part) => {
      if ('text' in part) return part.text;
      if (!Object.prototype.hasOwnProperty.call(params.declared, part.param)) {
        throw invalid(`Entry point '${ep.name}': the command refers to {${part.param}}, which has no value`);
      }
      return shellQuote(params.declared[part.param]!);
    })
    .join('');
  const extras = Object.entries(params.extra).map(([k, v]) => `${shellQuote(`--${k}`)} ${shellQuote(v)}`);
  return [line, ...extras].join(' ');
}

/**
 * `-P name=value` arguments as the CLI gets them → the `given` record, MLflow's `_user_args_to_dict`: split at the
 * first `=` (a value may hold more), refused without one or when a name repeats, in MLflow's words (PROJ-P7).
 * `reproduceCommand` writes params in exactly this form, so a reproduced run gets the same record back.
 */
export function parseParamArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) throw invalid(`Invalid format for -P parameter: '${arg}'. Use -P name=value.`);
    const name = arg.slice(0, eq);
    if (name === '__proto__') throw invalid("'__proto__' is reserved and cannot be a parameter name");
    if (Object.prototype.hasOwnProperty.call(out, name)) throw invalid(`Repeated parameter: '${name}'`);
    out[name] = arg.slice(eq + 1);
  }
  return out;
}
