import { z } from 'zod';
import { invalid } from './errors';

/**
 * Branded ids. Run ids are MLflow's `uuid4().hex` (32 lowercase hex). Experiment ids are decimal strings, like
 * MLflow's SQL store, but random (18 digits) rather than sequential, because offline clients create experiments
 * without asking anyone; "0" is the Default experiment.
 */
export const RunIdSchema = z.string().regex(/^[a-zA-Z0-9][\w-]{0,255}$/, 'invalid run id').brand<'RunId'>();
export type RunId = z.infer<typeof RunIdSchema>;

export const ExperimentIdSchema = z
  .string()
  .regex(/^[a-zA-Z0-9][\w-]{0,63}$/, 'invalid experiment id')
  .brand<'ExperimentId'>();
export type ExperimentId = z.infer<typeof ExperimentIdSchema>;

/** Workspaces name relay rooms, so they are restricted to URL-path-safe characters. */
export const WorkspaceIdSchema = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'workspace must be 1-64 of letters, digits, _ . - (starting alphanumeric)')
  .brand<'WorkspaceId'>();
export type WorkspaceId = z.infer<typeof WorkspaceIdSchema>;

export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex').brand<'Sha256'>();
export type Sha256 = z.infer<typeof Sha256Schema>;

function parseId<S extends z.ZodType>(schema: S, v: unknown, what: string): z.output<S> {
  const r = schema.safeParse(v);
  if (!r.success) throw invalid(`Invalid ${what} '${String(v)}': ${r.error.issues[0]?.message ?? 'bad format'}`);
  return r.data;
}
export const asRunId = (v: unknown): RunId => parseId(RunIdSchema, v, 'run id');
export const asExperimentId = (v: unknown): ExperimentId => parseId(ExperimentIdSchema, v, 'experiment id');
export const asWorkspaceId = (v: unknown): WorkspaceId => parseId(WorkspaceIdSchema, v, 'workspace');
export const asSha256 = (v: unknown): Sha256 => parseId(Sha256Schema, v, 'sha256');

/** The content address of some bytes (blobs, artifacts): Web Crypto, so the same in browsers, workers and Node. */
export async function sha256Hex(bytes: Uint8Array): Promise<Sha256> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('') as Sha256;
}

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

export function newRunId(): RunId {
  return Array.from(randomBytes(16), (x) => x.toString(16).padStart(2, '0')).join('') as RunId;
}

export function newExperimentId(): ExperimentId {
  // 18 random decimal digits, first non-zero: fits an int64 and never collides with "0" (Default).
  const b = randomBytes(18);
  let s = String(1 + (b[0]! % 9));
  for (let i = 1; i < 18; i++) s += String(b[i]! % 10);
  return s as ExperimentId;
}

/** An id for one writer (a browser profile or an SDK data dir), stable across its sessions. */
export function newActorId(): string {
  return Array.from(randomBytes(8), (x) => x.toString(16).padStart(2, '0')).join('');
}

// A short word list in MLflow's style (adjective-noun-NNN, ≤ 20 chars).
const ADJECTIVES = [
  'able', 'bold', 'brave', 'calm', 'clean', 'clever', 'crisp', 'dapper', 'eager', 'fair', 'gentle', 'glad', 'grand',
  'honest', 'keen', 'kind', 'lively', 'loud', 'lucky', 'merry', 'mild', 'neat', 'nimble', 'proud', 'quick', 'quiet',
  'rare', 'rich', 'shy', 'silent', 'smooth', 'snug', 'sunny', 'swift', 'tidy', 'vast', 'warm', 'wise', 'witty', 'zany',
];
const NOUNS = [
  'ant', 'bat', 'bear', 'bee', 'bird', 'carp', 'cat', 'colt', 'crab', 'crow', 'deer', 'dove', 'duck', 'eel', 'elk',
  'finch', 'fox', 'frog', 'goat', 'gull', 'hare', 'hawk', 'hen', 'jay', 'koi', 'lark', 'lynx', 'mole', 'moth', 'newt',
  'owl', 'ox', 'pig', 'ram', 'seal', 'shrew', 'slug', 'snail', 'toad', 'wolf', 'wren', 'yak',
];

export function newRunName(): string {
  const b = randomBytes(4);
  const n = ((b[2]! << 8) | b[3]!) % 1000;
  return `${ADJECTIVES[b[0]! % ADJECTIVES.length]}-${NOUNS[b[1]! % NOUNS.length]}-${String(n).padStart(3, '0')}`;
}
