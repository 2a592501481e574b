import { z } from 'zod';
// From the modules themselves, not the indexes: the data worker's first module loads this (workers/boot.ts).
import { invalid } from '../domain/errors';
import { WorkspaceIdSchema, newActorId } from '../domain/ids';
import { normaliseRelay } from '../relay-client/urls';
import type { LocalStore } from '../store';

/**
 * Effective connection settings (README.md "Settings"): each field is the saved value (Dexie) if one was ever saved,
 * else what `/cairn-config.json` on the app's own origin says (a relay serving the app writes it), else local-only:
 * no relay, workspace "default". A saved `relayUrl: null` is a choice ("stay local"), not an absence.
 */

/** How long the app-config probe may take: a static host without it answers 404 fast; a dead origin should not stall startup. */
const CONFIG_TIMEOUT_MS = 1_500;
export const DEFAULT_WORKSPACE = 'default';

/** Same shape as lib/react/contract.ts `Settings` (lib/sync cannot import lib/react). */
export interface ConnectionSettings {
  relayUrl: string | null;
  workspace: string;
  token: string | null;
  userName: string;
}

export interface EffectiveSettings extends ConnectionSettings {
  /** Writer id for lib/doc commands: random, generated once per browser profile, kept in settings. */
  actor: string;
  /** Where the relay came from, for the settings page. */
  relaySource: 'saved' | 'app-config' | 'none';
}

const KEYS = { relayUrl: 'relayUrl', workspace: 'workspace', token: 'token', userName: 'userName', actor: 'actor' } as const;

const AppConfigSchema = z.object({ relay: z.string().min(1).optional(), workspace: z.string().optional() });
export type AppConfig = z.infer<typeof AppConfigSchema>;

export type { FetchLike } from '../relay-client/snapshot-fetch';
import type { FetchLike } from '../relay-client/snapshot-fetch';

/** `GET <origin>/cairn-config.json`; null when absent, unreachable, slow or malformed (then the app runs local-only). */
export async function fetchAppConfig(origin: string | null, fetchImpl: FetchLike): Promise<AppConfig | null> {
  if (!origin) return null;
  try {
    const url = new URL('/cairn-config.json', origin).toString();
    const res = await fetchImpl(url, { cache: 'no-store', signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS) });
    if (!res.ok) return null;
    const parsed = AppConfigSchema.safeParse(await res.json());
    if (!parsed.success) return null;
    const cfg: AppConfig = {};
    if (parsed.data.relay && safeRelay(parsed.data.relay)) cfg.relay = parsed.data.relay;
    if (parsed.data.workspace && WorkspaceIdSchema.safeParse(parsed.data.workspace).success) cfg.workspace = parsed.data.workspace;
    return cfg;
  } catch {
    return null;
  }
}

function safeRelay(url: string): boolean {
  try {
    normaliseRelay(url);
    return true;
  } catch {
    return false;
  }
}

/**
 * `prefetched`: the app config asked for already (the worker starts that request before IndexedDB opens; it is used
 * only when relay or workspace were never saved, as without it).
 */
export async function resolveSettings(
  store: LocalStore,
  origin: string | null,
  fetchImpl: FetchLike,
  prefetched?: ReturnType<typeof fetchAppConfig>,
): Promise<EffectiveSettings> {
  const [relayUrl, workspace, token, userName, actor] = await Promise.all([
    store.getSetting<string | null>(KEYS.relayUrl),
    store.getSetting<string>(KEYS.workspace),
    store.getSetting<string | null>(KEYS.token),
    store.getSetting<string>(KEYS.userName),
    store.getSetting<string>(KEYS.actor),
  ]);
  const config = relayUrl === undefined || workspace === undefined ? await (prefetched ?? fetchAppConfig(origin, fetchImpl)) : null;
  let myActor = actor;
  if (!myActor) {
    myActor = newActorId();
    await store.setSetting(KEYS.actor, myActor);
  }
  const relay = relayUrl !== undefined ? relayUrl : (config?.relay ?? null);
  return {
    relayUrl: relay,
    relaySource: relayUrl !== undefined ? (relayUrl === null ? 'none' : 'saved') : config?.relay ? 'app-config' : 'none',
    workspace: workspace ?? config?.workspace ?? DEFAULT_WORKSPACE,
    token: token ?? null,
    userName: userName ?? defaultUserName(myActor),
    actor: myActor,
  };
}

/** Validates and saves the given fields; `relayUrl: ''` or null saves "no relay". Returns nothing: re-resolve after. */
export async function saveSettings(store: LocalStore, patch: Partial<ConnectionSettings>): Promise<void> {
  const writes: [string, unknown][] = [];
  if (patch.relayUrl !== undefined) {
    const v = patch.relayUrl === null || patch.relayUrl.trim() === '' ? null : patch.relayUrl.trim();
    if (v !== null) normaliseRelay(v); // throws INVALID_PARAMETER_VALUE with a readable message
    writes.push([KEYS.relayUrl, v]);
  }
  if (patch.workspace !== undefined) {
    const r = WorkspaceIdSchema.safeParse(patch.workspace.trim());
    if (!r.success) throw invalid(`Invalid workspace '${patch.workspace}': ${r.error.issues[0]?.message ?? 'bad format'}`);
    writes.push([KEYS.workspace, r.data]);
  }
  if (patch.token !== undefined) {
    const t = patch.token === null ? null : patch.token.trim() || null;
    if (t !== null && (t.length > 4096 || /\s/.test(t))) throw invalid('A token must be one word of at most 4096 characters');
    writes.push([KEYS.token, t]);
  }
  if (patch.userName !== undefined) {
    const n = patch.userName.trim();
    if (n.length === 0 || n.length > 64) throw invalid('A display name must be 1-64 characters');
    writes.push([KEYS.userName, n]);
  }
  for (const [k, v] of writes) await store.setSetting(k, v);
}

export function defaultUserName(actor: string): string {
  return `guest-${actor.slice(0, 4)}`;
}
