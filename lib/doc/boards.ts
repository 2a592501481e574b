import * as Y from 'yjs';
import { z } from 'zod';
import { ExperimentIdSchema, KeySchema, RunIdSchema, invalid, notFound, parseInput } from '../domain';
import { SEP, mapEntries } from './layout';
import type { Ctx } from './commands';
import { LOCAL_ORIGIN } from './commands';
import { readExperimentRecord } from './read';

/**
 * Dashboards of an experiment (components/boards/SPEC.md BOARD-D*), in the workspace doc's root map `boards`, flat
 * (lib/doc DOC-L2: nothing nested, so two replicas never create the same nested type):
 *   `<boardId>\u0001board`              → BoardRecord  { experimentId, name, createdAt }
 *   `<boardId>\u0001card\u0001<cardId>` → CardConfig   what the card shows (kind, title, metric, runs, ...)
 *   `<boardId>\u0001pos\u0001<cardId>`  → { x, y }     where it sits on the grid
 *   `<boardId>\u0001size\u0001<cardId>` → { w, h }     how big it is
 * Config, position and size are separate keys, so a move, a resize and a settings edit are each one small map write:
 * two people moving different cards (or one moving and one resizing the same card) both keep their change. Every
 * value is validated on write and parsed again on read; what does not parse is skipped (BOARD-D4).
 */

/**
 * The grid every dashboard is laid out on (components/boards draws it from `Board.grid`, so the numbers have one home):
 * columns across; `maxRow`, the lowest row a card may start on (far more than anyone scrolls, small enough that a bad
 * `y` cannot blow up a layout); `maxHeight`, the tallest card in rows.
 */
export const BOARD_GRID = { columns: 12, maxRow: 1000, maxHeight: 16 } as const;
export type BoardGrid = typeof BOARD_GRID;
const BOARD_COLUMNS = BOARD_GRID.columns;
const BOARD_MAX_ROW = BOARD_GRID.maxRow;
const BOARD_MAX_HEIGHT = BOARD_GRID.maxHeight;
/** Cards per dashboard: a dashboard of 100 charts is already a wall; past it nobody reads them. */
export const MAX_CARDS_PER_BOARD = 100;
/** Runs a card draws: the same ceiling as compare (issue 7: 2–100 runs). */
export const MAX_CARD_RUNS = 100;
export const MAX_BOARD_NAME_LENGTH = 200;
export const MAX_CARD_TITLE_LENGTH = 200;
export const MAX_CARD_FILTER_LENGTH = 2000;
/** Axes of a parallel-coordinates card. */
export const MAX_PARALLEL_AXES = 20;

/** The root map of the workspace doc for dashboards (its layout is described here and in components/boards/SPEC.md). */
export const wsBoards = (d: Y.Doc) => d.getMap<unknown>('boards');

export const BoardIdSchema = z.string().regex(/^[0-9a-f]{8,32}$/, 'invalid dashboard id').brand<'BoardId'>();
export type BoardId = z.infer<typeof BoardIdSchema>;
export const CardIdSchema = z.string().regex(/^[0-9a-f]{8,32}$/, 'invalid card id').brand<'CardId'>();
export type CardId = z.infer<typeof CardIdSchema>;

function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
export const newBoardId = () => randomHex(12) as BoardId;
export const newCardId = () => randomHex(8) as CardId;

export const BoardNameSchema = z.string().trim().min(1, 'name must not be empty').max(MAX_BOARD_NAME_LENGTH);
const BoardRecordSchema = z.object({
  experimentId: ExperimentIdSchema,
  name: BoardNameSchema,
  createdAt: z.number().int().nonnegative(),
});

/** One value a card shows of a run: a param, a metric's latest value, or a number of the run's own (its times). */
export const AxisSchema = z.object({ kind: z.enum(['param', 'metric', 'attr']), key: KeySchema });
export type Axis = z.infer<typeof AxisSchema>;

/** Which runs a card draws: the first `limit` runs matching a filter (MLflow's grammar, newest first), or chosen ones. */
export const RunSelectionSchema = z.discriminatedUnion('mode', [
  z.object({
    mode: z.literal('filter'),
    filter: z.string().max(MAX_CARD_FILTER_LENGTH),
    limit: z.number().int().min(1).max(MAX_CARD_RUNS),
  }),
  z.object({ mode: z.literal('selected'), runIds: z.array(RunIdSchema).min(1).max(MAX_CARD_RUNS) }),
]);
export type RunSelection = z.infer<typeof RunSelectionSchema>;

/**
 * How a line card draws (components/charts' ChartSettings, stored as plain data): every field optional, unknown
 * fields dropped; the chart reads it through its own tolerant reader (chartSettingsFrom), so a field it adds later
 * only needs a line here.
 */
export const LineSettingsSchema = z
  .object({
    smoothing: z.number().min(0).max(100),
    xAxis: z.discriminatedUnion('kind', [
      z.object({ kind: z.enum(['step', 'wall', 'relative']) }),
      z.object({ kind: z.literal('metric'), key: KeySchema }),
    ]),
    logX: z.boolean(),
    logY: z.boolean(),
    clipOutliers: z.boolean(),
  })
  .partial();
export type LineSettings = z.infer<typeof LineSettingsSchema>;

const Title = z.string().max(MAX_CARD_TITLE_LENGTH);
const OrderSchema = z.enum(['asc', 'desc']);

/** What a card shows; `kind` says which chart. */
export const CardConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('line'), title: Title, metric: KeySchema, runs: RunSelectionSchema, settings: LineSettingsSchema.optional() }),
  z.object({ kind: z.literal('scatter'), title: Title, x: AxisSchema, y: AxisSchema, runs: RunSelectionSchema }),
  z.object({ kind: z.literal('parallel'), title: Title, axes: z.array(AxisSchema).min(2).max(MAX_PARALLEL_AXES), runs: RunSelectionSchema }),
  z.object({ kind: z.literal('bar'), title: Title, metric: KeySchema, runs: RunSelectionSchema }),
  z.object({
    kind: z.literal('table'),
    title: Title,
    metric: KeySchema,
    order: OrderSchema,
    limit: z.number().int().min(1).max(MAX_CARD_RUNS),
    filter: z.string().max(MAX_CARD_FILTER_LENGTH),
  }),
]);
export type CardConfig = z.infer<typeof CardConfigSchema>;
export type CardKind = CardConfig['kind'];

export const CardPosSchema = z.object({
  x: z.number().int().min(0).max(BOARD_COLUMNS - 1),
  y: z.number().int().min(0).max(BOARD_MAX_ROW),
});
export const CardSizeSchema = z.object({
  w: z.number().int().min(1).max(BOARD_COLUMNS),
  h: z.number().int().min(1).max(BOARD_MAX_HEIGHT),
});
export type CardPos = z.infer<typeof CardPosSchema>;
export type CardSize = z.infer<typeof CardSizeSchema>;
/** A new card's size when none is given: half the width, four rows. */
export const DEFAULT_CARD_SIZE: CardSize = { w: 6, h: 4 };

/** A card as readers return it: its config and where it sits (a card without a readable position or size gets one). */
export interface Card {
  cardId: CardId;
  config: CardConfig;
  pos: CardPos;
  size: CardSize;
}
export interface BoardSummary {
  boardId: BoardId;
  experimentId: string;
  name: string;
  createdAt: number;
}
export interface Board extends BoardSummary {
  cards: Card[];
  grid: BoardGrid;
}

const boardKey = (b: string) => b + SEP + 'board';
const partKey = (b: string, part: 'card' | 'pos' | 'size', c: string) => b + SEP + part + SEP + c;

// ---- readers (BOARD-D4: garbage from a peer is skipped, never thrown) ----------------------------------------------

function parsed<T>(schema: z.ZodType<T>, v: unknown): T | undefined {
  const r = schema.safeParse(v);
  return r.success ? r.data : undefined;
}

function boardOf(m: Y.Map<unknown>, boardId: string): BoardSummary | undefined {
  if (!BoardIdSchema.safeParse(boardId).success) return undefined;
  const rec = parsed(BoardRecordSchema, m.get(boardKey(boardId)));
  return rec && { boardId: boardId as BoardId, experimentId: rec.experimentId, name: rec.name, createdAt: rec.createdAt };
}

/** The dashboards of an experiment, oldest first (then by id, so every replica lists them in one order). */
export function listBoards(ws: Y.Doc, experimentId: string): BoardSummary[] {
  const m = wsBoards(ws);
  const out: BoardSummary[] = [];
  for (const [k] of mapEntries(m)) {
    const i = k.indexOf(SEP);
    if (i <= 0 || k.slice(i + 1) !== 'board') continue;
    const b = boardOf(m, k.slice(0, i));
    if (b && b.experimentId === experimentId) out.push(b);
  }
  return out.sort((a, b) => a.createdAt - b.createdAt || (a.boardId < b.boardId ? -1 : 1));
}

/** A dashboard with its cards in reading order (top to bottom, left to right), or undefined when there is none. */
export function readBoard(ws: Y.Doc, boardId: string): Board | undefined {
  const m = wsBoards(ws);
  const summary = boardOf(m, boardId);
  if (!summary) return undefined;
  const prefix = boardId + SEP + 'card' + SEP;
  const cards: Card[] = [];
  for (const [k, v] of mapEntries(m)) {
    if (!k.startsWith(prefix)) continue;
    const cardId = k.slice(prefix.length);
    if (!CardIdSchema.safeParse(cardId).success) continue;
    const config = parsed(CardConfigSchema, v);
    if (!config) continue;
    const size = parsed(CardSizeSchema, m.get(partKey(boardId, 'size', cardId))) ?? DEFAULT_CARD_SIZE;
    const pos = parsed(CardPosSchema, m.get(partKey(boardId, 'pos', cardId))) ?? { x: 0, y: 0 };
    cards.push({ cardId: cardId as CardId, config, pos, size: { w: Math.min(size.w, BOARD_COLUMNS - pos.x), h: size.h } });
  }
  cards.sort((a, b) => a.pos.y - b.pos.y || a.pos.x - b.pos.x || (a.cardId < b.cardId ? -1 : 1));
  return { ...summary, cards, grid: BOARD_GRID };
}

// ---- commands (BOARD-D1..D3: validated, one transaction each) --------------------------------------------------------

const tx = (c: Ctx, f: () => void) => c.ws.transact(f, LOCAL_ORIGIN);

function requireBoard(c: Ctx, rawId: unknown): BoardSummary {
  const id = parseInput(BoardIdSchema, rawId, 'dashboard id');
  const b = boardOf(wsBoards(c.ws), id);
  if (!b) throw notFound(`No dashboard with id ${id}`);
  return b;
}

function requireCard(c: Ctx, boardId: string, rawId: unknown): CardId {
  const id = parseInput(CardIdSchema, rawId, 'card id');
  if (parsed(CardConfigSchema, wsBoards(c.ws).get(partKey(boardId, 'card', id))) === undefined) throw notFound(`No card ${id} on dashboard ${boardId}`);
  return id;
}

function cardIdsOf(m: Y.Map<unknown>, boardId: string): string[] {
  const prefix = boardId + SEP + 'card' + SEP;
  return mapEntries(m).filter(([k]) => k.startsWith(prefix)).map(([k]) => k.slice(prefix.length));
}

export function createBoard(c: Ctx, input: { experimentId: string; name: string }): BoardId {
  const experimentId = parseInput(ExperimentIdSchema, input.experimentId, 'experiment_id');
  const name = parseInput(BoardNameSchema, input.name, 'dashboard name');
  if (!readExperimentRecord(c.ws, experimentId)) throw notFound(`Could not find experiment with ID ${experimentId}`);
  const boardId = newBoardId();
  const createdAt = c.now ? c.now() : Date.now();
  tx(c, () => wsBoards(c.ws).set(boardKey(boardId), { experimentId, name, createdAt }));
  return boardId;
}

export function renameBoard(c: Ctx, input: { boardId: string; name: string }): void {
  const b = requireBoard(c, input.boardId);
  const name = parseInput(BoardNameSchema, input.name, 'dashboard name');
  if (name === b.name) return;
  tx(c, () => wsBoards(c.ws).set(boardKey(b.boardId), { experimentId: b.experimentId, name, createdAt: b.createdAt }));
}

/** Removes the dashboard and every part of every card on it (a card a peer adds meanwhile is orphaned: never read). */
export function deleteBoard(c: Ctx, input: { boardId: string }): void {
  const b = requireBoard(c, input.boardId);
  const m = wsBoards(c.ws);
  const prefix = b.boardId + SEP;
  const keys = mapEntries(m).map(([k]) => k).filter((k) => k.startsWith(prefix));
  tx(c, () => {
    for (const k of keys) m.delete(k);
  });
}

/** The first free row under every card: where a new card goes. */
function bottomOf(board: Board): number {
  return board.cards.reduce((y, card) => Math.max(y, card.pos.y + card.size.h), 0);
}

/** Adds a card at the bottom of the dashboard, left-aligned; returns its id. */
export function addCard(c: Ctx, input: { boardId: string; config: unknown; size?: unknown }): CardId {
  const b = requireBoard(c, input.boardId);
  const config = parseInput(CardConfigSchema, input.config, 'card');
  const size = input.size === undefined ? DEFAULT_CARD_SIZE : parseInput(CardSizeSchema, input.size, 'card size');
  const m = wsBoards(c.ws);
  if (cardIdsOf(m, b.boardId).length >= MAX_CARDS_PER_BOARD) throw invalid(`A dashboard holds at most ${MAX_CARDS_PER_BOARD} cards.`);
  const board = readBoard(c.ws, b.boardId)!;
  const cardId = newCardId();
  const y = Math.min(bottomOf(board), BOARD_MAX_ROW - 1);
  tx(c, () => {
    m.set(partKey(b.boardId, 'card', cardId), config);
    m.set(partKey(b.boardId, 'pos', cardId), { x: 0, y });
    m.set(partKey(b.boardId, 'size', cardId), size);
  });
  return cardId;
}

/** Replaces what a card shows (its title, metric, runs...); its position and size are untouched. */
export function updateCard(c: Ctx, input: { boardId: string; cardId: string; config: unknown }): void {
  const b = requireBoard(c, input.boardId);
  const cardId = requireCard(c, b.boardId, input.cardId);
  const config = parseInput(CardConfigSchema, input.config, 'card');
  tx(c, () => wsBoards(c.ws).set(partKey(b.boardId, 'card', cardId), config));
}

export function removeCard(c: Ctx, input: { boardId: string; cardId: string }): void {
  const b = requireBoard(c, input.boardId);
  const cardId = requireCard(c, b.boardId, input.cardId);
  const m = wsBoards(c.ws);
  tx(c, () => {
    for (const part of ['card', 'pos', 'size'] as const) m.delete(partKey(b.boardId, part, cardId));
  });
}

/** BOARD-D2: moves a card (top-left cell); writes its position alone. A card is kept inside the grid's width. */
export function moveCard(c: Ctx, input: { boardId: string; cardId: string; x: number; y: number }): void {
  const b = requireBoard(c, input.boardId);
  const cardId = requireCard(c, b.boardId, input.cardId);
  const pos = parseInput(CardPosSchema, { x: input.x, y: input.y }, 'card position');
  const size = parsed(CardSizeSchema, wsBoards(c.ws).get(partKey(b.boardId, 'size', cardId))) ?? DEFAULT_CARD_SIZE;
  const x = Math.min(pos.x, BOARD_COLUMNS - Math.min(size.w, BOARD_COLUMNS));
  tx(c, () => wsBoards(c.ws).set(partKey(b.boardId, 'pos', cardId), { x, y: pos.y }));
}

/** BOARD-D2: resizes a card (columns × rows); writes its size alone. Too wide for where it sits is refused. */
export function resizeCard(c: Ctx, input: { boardId: string; cardId: string; w: number; h: number }): void {
  const b = requireBoard(c, input.boardId);
  const cardId = requireCard(c, b.boardId, input.cardId);
  const size = parseInput(CardSizeSchema, { w: input.w, h: input.h }, 'card size');
  const pos = parsed(CardPosSchema, wsBoards(c.ws).get(partKey(b.boardId, 'pos', cardId))) ?? { x: 0, y: 0 };
  if (pos.x + size.w > BOARD_COLUMNS) throw invalid(`A card at column ${pos.x + 1} is at most ${BOARD_COLUMNS - pos.x} columns wide.`);
  tx(c, () => wsBoards(c.ws).set(partKey(b.boardId, 'size', cardId), size));
}
