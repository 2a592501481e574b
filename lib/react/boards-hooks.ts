'use client';

// errors.ts only: the domain's index pulls zod (schemas), which the page never needs.
import type { Board, BoardId, BoardSummary, CardConfig, CardId, RunSelection } from '../doc/boards';
import type { SelectedRuns } from '../../workers/boards-api';
import type { QueryResult } from './contract';
import { useCommandSet, useWorkerQuery } from './worker-query';

/** Hooks and contract types for dashboards and compare: each hook is a useWorkerQuery (worker-query.ts) over the worker's boards-api.ts. */

export type {
  Axis,
  Board,
  BoardGrid,
  BoardId,
  BoardSummary,
  Card,
  CardConfig,
  CardId,
  CardKind,
  CardPos,
  CardSize,
  LineSettings,
  RunSelection,
} from '../doc/boards';
export type { SelectedRuns } from '../../workers/boards-api';

/** Signalled by the worker on any change of the workspace's dashboards (workers/boards-api.ts BOARDS_TOPIC). */
const BOARDS_TOPIC = 'boards';

/**
 * The runs of a compare view (2–100 ids, in the order given), from the experiment index: no run doc is opened and no
 * socket per run. Ids that are not active runs of the experiment come back in `missing`; a wrong count is an error.
 */
export function useCompareRuns(experimentId: string | null | undefined, runIds: readonly string[]): QueryResult<SelectedRuns | null> {
  const ids = runIds.join(',');
  return useWorkerQuery(
    `compare:${experimentId ?? ''}:${ids}`,
    experimentId ? [`runs:${experimentId}`] : [],
    async (c) => (experimentId ? c.compareRuns(experimentId, ids ? ids.split(',') : []) : null),
  );
}

/** The runs a dashboard card draws (its RunSelection), live as the experiment's runs change. */
export function useBoardRuns(experimentId: string | null | undefined, selection: RunSelection | null): QueryResult<SelectedRuns | null> {
  const key = JSON.stringify(selection);
  return useWorkerQuery(
    `board-runs:${experimentId ?? ''}:${key}`,
    experimentId && selection ? [`runs:${experimentId}`] : [],
    async (c) => (experimentId && selection ? c.selectBoardRuns(experimentId, JSON.parse(key) as RunSelection) : null),
  );
}

/** The dashboards of an experiment, oldest first; live (another person's new dashboard appears). */
export function useBoards(experimentId: string | null | undefined): QueryResult<BoardSummary[]> {
  return useWorkerQuery(`boards:${experimentId ?? ''}`, experimentId ? [BOARDS_TOPIC] : [], async (c) =>
    experimentId ? c.listBoards(experimentId) : [],
  );
}

/** One dashboard with its cards, live: cards another person adds, moves or edits show up without a reload. */
export function useBoard(boardId: string | null | undefined): QueryResult<Board | null> {
  return useWorkerQuery(`board:${boardId ?? ''}`, boardId ? [BOARDS_TOPIC] : [], async (c) => (boardId ? c.getBoard(boardId) : null));
}

/** The dashboard commands; each resolves once the change is stored on this device, and rejects with a CairnError. */
export interface BoardsCommands {
  createBoard(experimentId: string, name: string): Promise<BoardId>;
  renameBoard(boardId: string, name: string): Promise<void>;
  deleteBoard(boardId: string): Promise<void>;
  /** Adds a card at the bottom of the dashboard; resolves with its id. */
  addCard(boardId: string, config: CardConfig): Promise<CardId>;
  updateCard(boardId: string, cardId: string, config: CardConfig): Promise<void>;
  removeCard(boardId: string, cardId: string): Promise<void>;
  /** Top-left grid cell of the card. */
  moveCard(boardId: string, cardId: string, x: number, y: number): Promise<void>;
  /** Columns × rows. */
  resizeCard(boardId: string, cardId: string, w: number, h: number): Promise<void>;
}

export function useBoardsCommands(): BoardsCommands {
  return useCommandSet<BoardsCommands>((c) => ({
    createBoard: async (experimentId, name) => c().createBoard(experimentId, name),
    renameBoard: async (boardId, name) => c().renameBoard(boardId, name),
    deleteBoard: async (boardId) => c().deleteBoard(boardId),
    addCard: async (boardId, config) => c().addBoardCard(boardId, config),
    updateCard: async (boardId, cardId, config) => c().updateBoardCard(boardId, cardId, config),
    removeCard: async (boardId, cardId) => c().removeBoardCard(boardId, cardId),
    moveCard: async (boardId, cardId, x, y) => c().moveBoardCard(boardId, cardId, x, y),
    resizeCard: async (boardId, cardId, w, h) => c().resizeBoardCard(boardId, cardId, w, h),
  }));
}
