/**
 * The page a cold start is for (CHART-14). app/layout.tsx starts the data worker from an inline script before React
 * loads and names it `cairn-page:<path and query>`; the worker reads `self.name` and fetches the metrics docs that
 * page will chart while the page's scripts still load. Only a hint: a name it cannot read means no prefetch.
 */
// The module itself, not lib/domain's index: the data worker's first module reads hints (boot.ts, CHART-18).
import { ExperimentIdSchema, RunIdSchema } from '../lib/domain/ids';

export const PAGE_HINT_PREFIX = 'cairn-page:';

/** Most runs a hint may name (compare's limit). */
const MAX_HINT_RUNS = 100;

export interface PageHint {
  experimentId: string | null;
  runIds: string[];
}

/** The page a worker was named for (`cairn-page:<path and query>`): its path without the trailing slash, its query. */
function namedPage(workerName: string): { path: string; q: URLSearchParams } | null {
  if (!workerName.startsWith(PAGE_HINT_PREFIX)) return null;
  try {
    const url = new URL(workerName.slice(PAGE_HINT_PREFIX.length), 'http://page.invalid');
    return { path: url.pathname.replace(/\/+$/, ''), q: url.searchParams };
  } catch {
    return null;
  }
}

/**
 * What a page's URL names: `/run/?id=<run>`, `/compare/?experiment=<exp>&runs=<a>,<b>`, or `/experiment/?id=<exp>` (no
 * runs: its runs table needs the experiment's index); else null.
 */
export function readPageHint(workerName: string): PageHint | null {
  const page = namedPage(workerName);
  if (!page) return null;
  const { path, q } = page;
  // The URL is anyone's link: ids become relay paths (`/docs/<ws>/run/<id>`), so only well-formed ones are kept.
  const runId = (v: string | null) => (v !== null && RunIdSchema.safeParse(v).success ? v : null);
  const experimentId = (v: string | null) => (v !== null && ExperimentIdSchema.safeParse(v).success ? v : null);
  if (path === '/run') {
    const id = runId(q.get('id'));
    return id ? { experimentId: null, runIds: [id] } : null;
  }
  if (path === '/experiment') {
    // Its runs table: the experiment's index, no series (CHART-18).
    const id = experimentId(q.get('id'));
    return id ? { experimentId: id, runIds: [] } : null;
  }
  if (path === '/compare') {
    const exp = q.get('experiment');
    if (exp !== null && experimentId(exp) === null) return null;
    const runIds = (q.get('runs') ?? '').split(',').filter((id) => runId(id) !== null).slice(0, MAX_HINT_RUNS);
    return runIds.length ? { experimentId: exp, runIds } : null;
  }
  return null;
}

/**
 * Pages whose first view the warm cache answers (WRK-10: the experiments list, an experiment's runs table, its
 * dashboards), by path without the trailing slash.
 */
const CACHED_VIEW_PATHS = new Set(['', '/experiment', '/dashboards']);

/**
 * WRK-12: whether the page the worker was started for opens with a view the warm cache answers, so the workspace load
 * should let those answers go first. A worker not named for a page (not known) says yes; a run, compare, model or
 * settings page says no: nothing it asks first is in the cache, and waiting for a cached answer it never asks for
 * held its every query back by CACHE_FIRST_PAINT_MS.
 */
export function opensCachedView(workerName: string): boolean {
  const page = namedPage(workerName);
  return page === null || CACHED_VIEW_PATHS.has(page.path);
}
