import { z } from 'zod';
import * as doc from '../lib/doc';
import { RunIdSchema, asExperimentId, parseInput } from '../lib/domain';
import { searchTable, type SearchError } from '../lib/search';
import type { RunRow } from '../lib/search/runs-page';
import type { DocHost } from '../lib/sync';
import { viewOfRow } from './run-rows';
import type { ServiceCore } from './service-core';

/** Runs a compare view takes (issue 7: "Compare (2–100 selected runs)"): past 100, no chart or table stays readable. */
export const MIN_COMPARE_RUNS = 2;
export const MAX_COMPARE_RUNS = 100;

/** The topic every dashboard query subscribes to: signalled on any change of the workspace doc's `boards` map. */
export const BOARDS_TOPIC = 'boards';

/** The runs a compare view or a dashboard card draws: index rows (no run doc opened), in the order asked for. */
export interface SelectedRuns {
  runs: RunRow[];
  /** Ids asked for that are not active runs of the experiment (unknown, deleted, or not synced yet). */
  missing: string[];
  /** Runs matching a filter selection (before its limit); for chosen runs, how many were found. */
  total: number;
  /** The filter of a filter selection could not be used (shown under the card's settings, with its position). */
  error?: SearchError;
}

const CompareIdsSchema = z
  .array(RunIdSchema)
  .min(MIN_COMPARE_RUNS, `Compare needs at least ${MIN_COMPARE_RUNS} runs`)
  .max(MAX_COMPARE_RUNS, `Compare takes at most ${MAX_COMPARE_RUNS} runs`);

/** The data worker's functions for dashboards and compare. */
export function boardsApi(core: ServiceCore) {
  /** Hosts whose `boards` map already signals BOARDS_TOPIC (one observer per host, attached on first use). */
  const observed = new WeakSet<DocHost>();
  async function host(): Promise<DocHost> {
    const h = await core.ready();
    if (!observed.has(h)) {
      observed.add(h);
      doc.wsBoards(h.ws).observe(() => core.topics.signal(BOARDS_TOPIC));
    }
    return h;
  }
  /** Commands: the observer is attached first, so the writer's own views re-query too. */
  const write = async <T>(f: (c: doc.Ctx) => T): Promise<T> => {
    await host();
    return core.write(f);
  };

  /** Active index rows of the experiment by id, in the order of `ids` (duplicates dropped), and the ids not found. */
  async function rowsByIds(experimentId: string, ids: readonly string[]): Promise<SelectedRuns> {
    const h = await core.ready();
    const { active } = await core.rowsOf(h, asExperimentId(experimentId));
    const byId = new Map(active.map((r) => [r.runId, r]));
    const runs: RunRow[] = [];
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const row = byId.get(id);
      if (row) runs.push(viewOfRow(row));
      else missing.push(id);
    }
    return { runs, missing, total: runs.length };
  }

  return {
    /** CMP-1: the runs of a compare view, from the experiment index; 2–100 ids, unknown ones listed in `missing`. */
    async compareRuns(experimentId: string, runIds: string[]): Promise<SelectedRuns> {
      const ids = parseInput(CompareIdsSchema, runIds, 'runs');
      return rowsByIds(experimentId, ids);
    },

    /** The runs a dashboard card draws (BOARD-C1): chosen ids, or the first `limit` matching a filter, newest first. */
    async selectBoardRuns(experimentId: string, raw: unknown): Promise<SelectedRuns> {
      const selection = parseInput(doc.RunSelectionSchema, raw, 'runs');
      if (selection.mode === 'selected') return rowsByIds(experimentId, selection.runIds);
      const h = await core.ready();
      const expId = asExperimentId(experimentId);
      const { active } = await core.rowsOf(h, expId);
      if (!selection.filter.trim()) return { runs: active.slice(0, selection.limit).map(viewOfRow), missing: [], total: active.length };
      const found = searchTable(core.searchTableOf(h, expId, active), { filter: selection.filter, maxResults: selection.limit });
      if (!found.ok) return { runs: [], missing: [], total: 0, error: found.error };
      return { runs: Array.from(found.rows, (i) => viewOfRow(active[i]!)), missing: [], total: found.total };
    },

    async listBoards(experimentId: string): Promise<doc.BoardSummary[]> {
      return doc.listBoards((await host()).ws, asExperimentId(experimentId));
    },
    /** A dashboard with its cards, or null when there is none (deleted, or not synced yet). */
    async getBoard(boardId: string): Promise<doc.Board | null> {
      const id = parseInput(doc.BoardIdSchema, boardId, 'dashboard id');
      return doc.readBoard((await host()).ws, id) ?? null;
    },

    async createBoard(experimentId: string, name: string): Promise<doc.BoardId> {
      return write((c) => doc.createBoard(c, { experimentId, name }));
    },
    async renameBoard(boardId: string, name: string): Promise<void> {
      await write((c) => doc.renameBoard(c, { boardId, name }));
    },
    async deleteBoard(boardId: string): Promise<void> {
      await write((c) => doc.deleteBoard(c, { boardId }));
    },
    async addBoardCard(boardId: string, config: unknown, size?: unknown): Promise<doc.CardId> {
      return write((c) => doc.addCard(c, { boardId, config, ...(size === undefined ? {} : { size }) }));
    },
    async updateBoardCard(boardId: string, cardId: string, config: unknown): Promise<void> {
      await write((c) => doc.updateCard(c, { boardId, cardId, config }));
    },
    async removeBoardCard(boardId: string, cardId: string): Promise<void> {
      await write((c) => doc.removeCard(c, { boardId, cardId }));
    },
    async moveBoardCard(boardId: string, cardId: string, x: number, y: number): Promise<void> {
      await write((c) => doc.moveCard(c, { boardId, cardId, x, y }));
    },
    async resizeBoardCard(boardId: string, cardId: string, w: number, h: number): Promise<void> {
      await write((c) => doc.resizeCard(c, { boardId, cardId, w, h }));
    },
  };
}
