import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  BOARD_GRID,
  addCard,
  createBoard,
  createExperiment,
  deleteBoard,
  ensureWorkspace,
  listBoards,
  memoryCtx,
  moveCard,
  readBoard,
  removeCard,
  renameBoard,
  resizeCard,
  updateCard,
  wsBoards,
  type CardConfig,
} from '@/lib/doc';
import { CairnError } from '@/lib/domain';

const line = (metric = 'loss'): CardConfig => ({ kind: 'line', title: '', metric, runs: { mode: 'filter', filter: '', limit: 10 } });
const SEP = '\u0001';

function setup(actor = 'a') {
  let t = 1000;
  const ctx = memoryCtx(new Y.Doc(), actor, () => t++);
  ensureWorkspace(ctx);
  const experimentId = createExperiment(ctx, { name: 'exp' });
  return { ctx, experimentId };
}

/** Two replicas of one workspace doc that exchange updates on demand. */
function pair() {
  const a = setup('a');
  const bDoc = new Y.Doc();
  Y.applyUpdate(bDoc, Y.encodeStateAsUpdate(a.ctx.ws));
  const b = { ctx: memoryCtx(bDoc, 'b'), experimentId: a.experimentId };
  const sync = () => {
    const ua = Y.encodeStateAsUpdate(a.ctx.ws, Y.encodeStateVector(b.ctx.ws));
    const ub = Y.encodeStateAsUpdate(b.ctx.ws, Y.encodeStateVector(a.ctx.ws));
    Y.applyUpdate(b.ctx.ws, ua);
    Y.applyUpdate(a.ctx.ws, ub);
  };
  return { a, b, sync };
}

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof CairnError ? e.code : 'not a CairnError';
  }
  return 'no error';
};

describe('dashboards in the workspace doc', () => {
  it('[BOARD-D1] dashboards are created, listed per experiment, renamed and deleted with their cards', () => {
    const { ctx, experimentId } = setup();
    const other = createExperiment(ctx, { name: 'other' });
    const first = createBoard(ctx, { experimentId, name: 'Overview' });
    const second = createBoard(ctx, { experimentId, name: ' Losses ' });
    createBoard(ctx, { experimentId: other, name: 'Elsewhere' });
    expect(listBoards(ctx.ws, experimentId).map((b) => b.name)).toEqual(['Overview', 'Losses']);
    renameBoard(ctx, { boardId: second, name: 'Loss curves' });
    expect(readBoard(ctx.ws, second)?.name).toBe('Loss curves');

    const cardId = addCard(ctx, { boardId: first, config: { ...line(), settings: { smoothing: 40, xAxis: { kind: 'metric', key: 'epoch' }, future: 1 } } });
    expect(readBoard(ctx.ws, first)?.cards.map((c) => c.cardId)).toEqual([cardId]);
    // Chart settings are kept as the line chart reads them; fields it does not know are dropped.
    expect(readBoard(ctx.ws, first)?.cards[0]?.config).toMatchObject({ settings: { smoothing: 40, xAxis: { kind: 'metric', key: 'epoch' } } });
    expect(readBoard(ctx.ws, first)?.cards[0]?.config).not.toHaveProperty('settings.future');
    deleteBoard(ctx, { boardId: first });
    expect(readBoard(ctx.ws, first)).toBeUndefined();
    expect([...wsBoards(ctx.ws).keys()].some((k) => k.startsWith(first))).toBe(false);
    expect(listBoards(ctx.ws, experimentId).map((b) => b.name)).toEqual(['Loss curves']);
  });

  it('[BOARD-D1] bad input is refused and leaves the doc as it was', () => {
    const { ctx, experimentId } = setup();
    const boardId = createBoard(ctx, { experimentId, name: 'b' });
    const before = Y.encodeStateAsUpdate(ctx.ws);
    expect(code(() => createBoard(ctx, { experimentId, name: '   ' }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => createBoard(ctx, { experimentId: '424242', name: 'x' }))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(code(() => addCard(ctx, { boardId, config: { kind: 'pie', title: '' } }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => addCard(ctx, { boardId, config: { ...line(), runs: { mode: 'filter', filter: '', limit: 101 } } }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => addCard(ctx, { boardId, config: { ...line(), metric: '__proto__' } }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => addCard(ctx, { boardId, config: { ...line(), settings: { smoothing: 200 } } }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => addCard(ctx, { boardId, config: { ...line(), settings: { xAxis: { kind: 'metric' } } } }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => addCard(ctx, { boardId: 'ffffffffffffffffffffffff', config: line() }))).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(code(() => renameBoard(ctx, { boardId: 'not hex', name: 'x' }))).toBe('INVALID_PARAMETER_VALUE');
    expect(Y.encodeStateAsUpdate(ctx.ws)).toEqual(before);
  });

  it('[BOARD-D2] a new card goes under the others; move writes the position alone, resize the size alone, both inside the grid', () => {
    const { ctx, experimentId } = setup();
    const boardId = createBoard(ctx, { experimentId, name: 'b' });
    const one = addCard(ctx, { boardId, config: line('a'), size: { w: 6, h: 3 } });
    const two = addCard(ctx, { boardId, config: line('b') });
    const byId = () => new Map(readBoard(ctx.ws, boardId)!.cards.map((c) => [c.cardId, c]));
    expect(byId().get(two)!.pos).toEqual({ x: 0, y: 3 });

    const sizeBefore = wsBoards(ctx.ws).get(`${boardId}${SEP}size${SEP}${one}`);
    moveCard(ctx, { boardId, cardId: one, x: 6, y: 8 });
    expect(byId().get(one)!.pos).toEqual({ x: 6, y: 8 });
    expect(wsBoards(ctx.ws).get(`${boardId}${SEP}size${SEP}${one}`)).toBe(sizeBefore);

    // Moving too far right keeps the card inside the grid's width.
    moveCard(ctx, { boardId, cardId: one, x: 11, y: 8 });
    expect(byId().get(one)!.pos.x).toBe(BOARD_GRID.columns - 6);

    resizeCard(ctx, { boardId, cardId: two, w: 12, h: 5 });
    expect(byId().get(two)!.size).toEqual({ w: 12, h: 5 });
    expect(code(() => resizeCard(ctx, { boardId, cardId: one, w: 12, h: 2 }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => resizeCard(ctx, { boardId, cardId: two, w: 0, h: 2 }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => moveCard(ctx, { boardId, cardId: two, x: -1, y: 0 }))).toBe('INVALID_PARAMETER_VALUE');
    expect(code(() => moveCard(ctx, { boardId, cardId: two, x: 0.5, y: 0 }))).toBe('INVALID_PARAMETER_VALUE');

    updateCard(ctx, { boardId, cardId: two, config: { kind: 'bar', title: 'Latest', metric: 'acc', runs: { mode: 'filter', filter: '', limit: 5 } } });
    expect(byId().get(two)!.config).toMatchObject({ kind: 'bar', metric: 'acc' });
    expect(byId().get(two)!.size).toEqual({ w: 12, h: 5 });
    removeCard(ctx, { boardId, cardId: two });
    expect([...byId().keys()]).toEqual([one]);
    expect(code(() => moveCard(ctx, { boardId, cardId: two, x: 0, y: 0 }))).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('[BOARD-D3] two people moving different cards at once both keep their moves; a move and a resize of one card both stay', () => {
    const { a, b, sync } = pair();
    const boardId = createBoard(a.ctx, { experimentId: a.experimentId, name: 'shared' });
    const one = addCard(a.ctx, { boardId, config: line('a') });
    const two = addCard(a.ctx, { boardId, config: line('b') });
    sync();

    moveCard(a.ctx, { boardId, cardId: one, x: 6, y: 10 });
    moveCard(b.ctx, { boardId, cardId: two, x: 3, y: 20 });
    resizeCard(b.ctx, { boardId, cardId: one, w: 4, h: 6 });
    updateCard(a.ctx, { boardId, cardId: two, config: line('renamed') });
    sync();

    for (const side of [a, b]) {
      const cards = new Map(readBoard(side.ctx.ws, boardId)!.cards.map((c) => [c.cardId, c]));
      expect(cards.get(one)).toMatchObject({ pos: { x: 6, y: 10 }, size: { w: 4, h: 6 } });
      expect(cards.get(two)).toMatchObject({ pos: { x: 3, y: 20 }, config: { metric: 'renamed' } });
    }
  });

  it('[BOARD-D3] cards two people add at once are both kept; a card added to a dashboard deleted meanwhile is never read', () => {
    const { a, b, sync } = pair();
    const kept = createBoard(a.ctx, { experimentId: a.experimentId, name: 'kept' });
    const gone = createBoard(a.ctx, { experimentId: a.experimentId, name: 'gone' });
    sync();
    const fromA = addCard(a.ctx, { boardId: kept, config: line('a') });
    const fromB = addCard(b.ctx, { boardId: kept, config: line('b') });
    addCard(b.ctx, { boardId: gone, config: line('c') });
    deleteBoard(a.ctx, { boardId: gone });
    sync();
    for (const side of [a, b]) {
      expect(new Set(readBoard(side.ctx.ws, kept)!.cards.map((c) => c.cardId))).toEqual(new Set([fromA, fromB]));
      expect(readBoard(side.ctx.ws, gone)).toBeUndefined();
      expect(listBoards(side.ctx.ws, a.experimentId).map((x) => x.name)).toEqual(['kept']);
    }
  });

  it('[BOARD-D4] readers skip what a peer wrote wrong and never throw', () => {
    const { ctx, experimentId } = setup();
    const boardId = createBoard(ctx, { experimentId, name: 'b' });
    const good = addCard(ctx, { boardId, config: line() });
    const m = wsBoards(ctx.ws);
    ctx.ws.transact(() => {
      m.set(`${boardId}${SEP}card${SEP}0123456789abcdef`, { kind: 'line', title: 5 }); // wrong field type
      m.set(`${boardId}${SEP}card${SEP}NOT-AN-ID`, line()); // bad card id
      m.set(`${boardId}${SEP}card${SEP}fedcba9876543210`, new Y.Map()); // a nested Yjs type
      m.set(`${boardId}${SEP}pos${SEP}${good}`, { x: 'left', y: 2 }); // unreadable position: falls back
      m.set(`${boardId}${SEP}size${SEP}${good}`, { w: 40, h: -1 }); // unreadable size: falls back
      m.set(`aaaaaaaaaaaaaaaa${SEP}board`, { experimentId, name: '', createdAt: 1 }); // empty name
      m.set(`bbbbbbbbbbbbbbbb${SEP}board`, 'garbage');
      m.set(`__proto__${SEP}board`, { experimentId, name: 'proto', createdAt: 1 });
      m.set('no separator at all', 1);
    });
    expect(listBoards(ctx.ws, experimentId).map((b) => b.boardId)).toEqual([boardId]);
    const board = readBoard(ctx.ws, boardId)!;
    expect(board.cards).toHaveLength(1);
    expect(board.cards[0]).toMatchObject({ cardId: good, pos: { x: 0, y: 0 }, size: { w: 6, h: 4 } });
    expect(readBoard(ctx.ws, 'bbbbbbbbbbbbbbbb')).toBeUndefined();
    expect(readBoard(ctx.ws, '__proto__')).toBeUndefined();
    // A command on the garbage card is refused as not found; one on the good card still works.
    expect(code(() => moveCard(ctx, { boardId, cardId: '0123456789abcdef', x: 1, y: 1 }))).toBe('RESOURCE_DOES_NOT_EXIST');
    moveCard(ctx, { boardId, cardId: good, x: 2, y: 3 });
    expect(readBoard(ctx.ws, boardId)!.cards[0]!.pos).toEqual({ x: 2, y: 3 });
  });
});
