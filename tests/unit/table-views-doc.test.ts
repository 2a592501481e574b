import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deleteView, listViews, memoryCtx, renameView, saveView, wsViews } from '@/lib/doc';

describe('saved runs-table views (lib/doc views.ts)', () => {
  it('[TABLE-9] save, overwrite by name, rename, delete; per experiment; bad input refused without writing', () => {
    const c = memoryCtx(new Y.Doc(), 'me', () => 5);
    const a = saveView(c, { experimentId: '1', name: 'best', query: 'q=metrics.acc+%3E+0.5' });
    saveView(c, { experimentId: '2', name: 'other', query: '' });
    expect(listViews(c.ws, '1')).toEqual([{ viewId: a, experimentId: '1', name: 'best', query: 'q=metrics.acc+%3E+0.5', updatedAt: 5 }]);
    expect(saveView(c, { experimentId: '1', name: 'best', query: 'sort=attr:name' })).toBe(a);
    expect(listViews(c.ws, '1').map((v) => v.query)).toEqual(['sort=attr:name']);
    renameView(c, { viewId: a, name: 'top' });
    expect(listViews(c.ws, '1').map((v) => v.name)).toEqual(['top']);
    const before = Y.encodeStateAsUpdate(c.ws);
    expect(() => saveView(c, { experimentId: '1', name: '  ', query: '' })).toThrow(/name/);
    expect(() => saveView(c, { experimentId: '1', name: 'x', query: 'q'.repeat(20_000) })).toThrow();
    expect(() => renameView(c, { viewId: 'ffffffffffffffff', name: 'y' })).toThrow(/No saved view/);
    expect(Y.encodeStateAsUpdate(c.ws)).toEqual(before);
    deleteView(c, a);
    expect(listViews(c.ws, '1')).toEqual([]);
    expect(listViews(c.ws, '2')).toHaveLength(1);
  });

  it('[TABLE-9] readers skip garbage a peer put in the views map', () => {
    const c = memoryCtx(new Y.Doc(), 'me');
    const good = saveView(c, { experimentId: '1', name: 'good', query: '' });
    const m = wsViews(c.ws);
    m.set('0000000000000001', 'a string');
    m.set('0000000000000002', { experimentId: '1', name: 7, query: '', updatedAt: 1 });
    m.set('0000000000000003', { experimentId: '1', name: 'long', query: 'x'.repeat(100_000), updatedAt: 1 });
    m.set('0000000000000004', new Y.Map());
    m.set('not-an-id', { experimentId: '1', name: 'bad id', query: '', updatedAt: 1 });
    m.set('0000000000000005', null);
    m.set('0000000000000006', { experimentId: '1', name: 'extra', query: '', updatedAt: 2, junk: { deep: true } });
    const views = listViews(c.ws, '1');
    expect(views.map((v) => v.name)).toEqual(['extra', 'good']);
    expect(views.find((v) => v.name === 'extra')).toEqual({ viewId: '0000000000000006', experimentId: '1', name: 'extra', query: '', updatedAt: 2 });
    expect(views.some((v) => v.viewId === good)).toBe(true);
    // A garbage entry can still be deleted.
    deleteView(c, '0000000000000002');
    expect(m.has('0000000000000002')).toBe(false);
  });
});
