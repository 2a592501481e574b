import * as Y from 'yjs';
import { z } from 'zod';
import { ExperimentIdSchema, TimestampSchema, invalid, notFound, parseInput } from '../domain';
import type { Ctx } from './commands';
import { LOCAL_ORIGIN } from './commands';
import { wsViews } from './layout';

/**
 * Saved views of an experiment's runs table, in the workspace doc so collaborators share them (components/runs-table
 * SPEC TABLE-9). One root map `views`: view id → a plain record `{ experimentId, name, query, updatedAt }`, where
 * `query` is the view's query string (lib/search table-view.ts `encodeView`: the same encoding as the page URL).
 * Records are whole values (a rename writes a new record), so two peers editing one view end with one of them, never
 * a mix. Readers take only records that pass the schema: a peer's garbage (another type, a Yjs type, an oversized
 * string) is skipped, never thrown.
 */

export const MAX_VIEW_NAME_LENGTH = 200;
export const MAX_VIEW_QUERY_LENGTH = 16_384;
export const MAX_VIEWS_PER_EXPERIMENT = 500;

const ViewIdSchema = z.string().regex(/^[0-9a-f]{8,64}$/, 'invalid view id');
const ViewNameSchema = z
  .string()
  .trim()
  .min(1, 'a view needs a name')
  .max(MAX_VIEW_NAME_LENGTH, `a view name must be at most ${MAX_VIEW_NAME_LENGTH} characters`);
const ViewQuerySchema = z.string().max(MAX_VIEW_QUERY_LENGTH, `a view must be at most ${MAX_VIEW_QUERY_LENGTH} characters`);

/** The stored record (what readers accept). */
export const StoredViewSchema = z
  .object({ experimentId: ExperimentIdSchema, name: ViewNameSchema, query: ViewQuerySchema, updatedAt: TimestampSchema })
  .strip();

export interface SavedView {
  viewId: string;
  experimentId: string;
  name: string;
  query: string;
  updatedAt: number;
}

/** The views map of a workspace doc (its one home). */

const now = (c: Ctx) => (c.now ? c.now() : Date.now());

function newViewId(): string {
  const b = new Uint8Array(8);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function readView(viewId: string, raw: unknown): SavedView | null {
  if (!ViewIdSchema.safeParse(viewId).success || raw === null || typeof raw !== 'object' || raw instanceof Y.AbstractType) return null;
  const r = StoredViewSchema.safeParse(raw);
  if (!r.success) return null;
  return { viewId, experimentId: r.data.experimentId, name: r.data.name, query: r.data.query, updatedAt: r.data.updatedAt };
}

/** An experiment's saved views, by name (then id); garbage skipped. */
export function listViews(ws: Y.Doc, experimentId: string): SavedView[] {
  const out: SavedView[] = [];
  wsViews(ws).forEach((raw, id) => {
    const v = readView(id, raw);
    if (v && v.experimentId === experimentId) out.push(v);
  });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.viewId < b.viewId ? -1 : 1));
}

const SaveViewInput = z.object({ experimentId: ExperimentIdSchema, name: ViewNameSchema, query: ViewQuerySchema }).strict();
const RenameViewInput = z.object({ viewId: ViewIdSchema, name: ViewNameSchema }).strict();

/**
 * Saves a view under `name`: a view of that experiment with the same name is overwritten (keeping its id), else a new
 * one is made. Returns the view id.
 */
export function saveView(c: Ctx, input: z.input<typeof SaveViewInput>): string {
  const v = parseInput(SaveViewInput, input, 'saved view');
  const existing = listViews(c.ws, v.experimentId);
  const same = existing.find((e) => e.name === v.name);
  if (!same && existing.length >= MAX_VIEWS_PER_EXPERIMENT) throw invalid(`An experiment keeps at most ${MAX_VIEWS_PER_EXPERIMENT} saved views`);
  const viewId = same?.viewId ?? newViewId();
  c.ws.transact(() => wsViews(c.ws).set(viewId, { experimentId: v.experimentId, name: v.name, query: v.query, updatedAt: now(c) }), LOCAL_ORIGIN);
  return viewId;
}

export function renameView(c: Ctx, input: z.input<typeof RenameViewInput>): void {
  const v = parseInput(RenameViewInput, input, 'view rename');
  const cur = readView(v.viewId, wsViews(c.ws).get(v.viewId));
  if (!cur) throw notFound(`No saved view with id ${v.viewId}`);
  c.ws.transact(() => wsViews(c.ws).set(v.viewId, { experimentId: cur.experimentId, name: v.name, query: cur.query, updatedAt: now(c) }), LOCAL_ORIGIN);
}

/** Deletes a view (a garbage entry under that id too); deleting one that is not there is not an error. */
export function deleteView(c: Ctx, viewId: string): void {
  const id = parseInput(ViewIdSchema, viewId, 'view id');
  if (!wsViews(c.ws).has(id)) return;
  c.ws.transact(() => wsViews(c.ws).delete(id), LOCAL_ORIGIN);
}
