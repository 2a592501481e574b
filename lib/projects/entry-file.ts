/**
 * A project without an MLproject (or an entry point the MLproject does not name): MLflow's
 * `Project.get_entry_point` fallback, which runs a script file by its extension (PROJ-S8), and which environment a
 * project folder implies when the MLproject declares none (PROJ-S9).
 */
import { CairnError } from '@/lib/domain';
import { parseNodeRange } from './node-range';
import { shellQuote } from './quote';
import type { EntryPointSpec, ProjectEnv, ProjectSpec } from './types';

/** Node runs these; the runner gives `node` children a TypeScript loader, so `.ts` works on Node 20 too. */
const NODE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'];

function extension(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
}

/**
 * The entry point for a script file: `.py` → `python <file>`, `.sh` → `$SHELL <file>` (or `sh` when SHELL is unset:
 * the shell running the line expands it, so this stays pure), `.js/.mjs/.cjs/.ts/.mts/.cts` → `node <file>`. Any other
 * file → null (the runner refuses it). No declared parameters: every `-P` becomes `--key value`, as in MLflow.
 * The command is the same in every environment; `env` only decides where the runner runs it.
 */
export function entryPointForFile(file: string, _env?: ProjectEnv): EntryPointSpec | null {
  const ext = extension(file);
  // MLflow quotes the file name; here `{`/`}` are doubled too, because the command is a template.
  // A name starting with '-' would be read as an option by the interpreter: `./-x.py` is the same file.
  const word = shellQuote(file.startsWith('-') ? `./${file}` : file).replace(/[{}]/g, (b) => b + b);
  let command: string;
  if (ext === '.py') command = `python ${word}`;
  // `{{`/`}}`: the command is a template; the shell sees `"${SHELL:-sh}"`.
  else if (ext === '.sh') command = `"\${{SHELL:-sh}}" ${word}`;
  else if (NODE_EXTENSIONS.includes(ext)) command = `node ${word}`;
  else return null;
  return { name: file, parameters: [], command };
}

/**
 * The entry point `cairn run -e <name>` runs, MLflow's `Project.get_entry_point`: the MLproject's entry point of that
 * name, else the script file of that name (`entryPointForFile`), else refused in MLflow's words. `spec` is null for a
 * project without an MLproject.
 */
export function getEntryPoint(spec: ProjectSpec | null, name: string): EntryPointSpec {
  const declared = spec?.entryPoints.get(name);
  if (declared) return declared;
  const file = entryPointForFile(name, spec?.env);
  if (file) return file;
  const names = [...(spec?.entryPoints.keys() ?? [])].map((n) => `'${n}'`).join(', ');
  throw new CairnError(
    'INVALID_PARAMETER_VALUE',
    `Could not find ${name} among entry points [${names}] or interpret ${name} as a runnable script. ` +
      `Supported script file extensions: ['.py', '.sh', ${NODE_EXTENSIONS.map((e) => `'${e}'`).join(', ')}]`,
    { field: 'entryPoint' },
  );
}

/**
 * The MLproject among a folder's file names: MLflow's `_find_mlproject` takes the first whose lower-cased name is
 * `mlproject`; here one exact `MLproject` wins, and several spellings without it are refused (which one MLflow picks
 * depends on the order the disk lists them).
 */
export function findMLprojectFile(fileNames: readonly string[]): string | undefined {
  if (fileNames.includes('MLproject')) return 'MLproject';
  const found = fileNames.filter((n) => n.toLowerCase() === 'mlproject');
  if (found.length > 1) {
    throw new CairnError('INVALID_PARAMETER_VALUE', `The project has several MLproject files (${found.join(', ')}); keep one`, { field: 'MLproject' });
  }
  return found[0];
}

/**
 * The environment of a project whose MLproject declares none (or that has no MLproject), from the names of the files
 * in its folder: `python_env.yaml`, then `conda.yaml` (MLflow's order), then — Cairn's addition — `package.json`,
 * which makes it a Node project whose `engines.node` the runner reads. Otherwise none (MLflow's bare local env).
 */
export function defaultProjectEnv(fileNames: readonly string[]): ProjectEnv {
  if (fileNames.includes('python_env.yaml')) return { kind: 'python', file: 'python_env.yaml' };
  if (fileNames.includes('conda.yaml')) return { kind: 'conda', file: 'conda.yaml' };
  if (fileNames.includes('package.json')) return { kind: 'node', version: undefined, file: 'package.json' };
  return { kind: 'none' };
}

/**
 * `engines.node` of a package.json text (the version range a `node_env: package.json` asks for), undefined when it
 * names none. A file that is not a JSON object is refused: the project pointed at it on purpose.
 */
export function nodeEngineFromPackageJson(text: string, file = 'package.json'): string | undefined {
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch (e) {
    throw packageJsonError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (!pkg || typeof pkg !== 'object' || Array.isArray(pkg)) throw packageJsonError(file, 'must be a JSON object');
  const engines = (pkg as { engines?: unknown }).engines;
  if (engines === undefined) return undefined;
  const node = engines && typeof engines === 'object' ? (engines as { node?: unknown }).node : undefined;
  if (node === undefined) return undefined;
  if (typeof node !== 'string' || node.trim() === '') throw packageJsonError(file, 'engines.node must be a version range such as ">=20"');
  try {
    parseNodeRange(node);
  } catch (e) {
    throw packageJsonError(file, `engines.node: ${(e as Error).message}`);
  }
  return node;
}

function packageJsonError(file: string, message: string): CairnError {
  return new CairnError('INVALID_PARAMETER_VALUE', `${file}: ${message}`, { field: file });
}
