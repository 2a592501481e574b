import { describe, expect, it } from 'vitest';
import {
  CairnError,
  ERROR_CODES,
  KeySchema,
  ParamValueSchema,
  TagValueSchema,
  asRunId,
  asWorkspaceId,
  fromWire,
  httpStatusFor,
  newExperimentId,
  newRunId,
  newRunName,
  parseInput,
  safeRecord,
  toWire,
} from '@/lib/domain';

describe('lib/domain', () => {
  it('keys follow MLflow: characters, length 250, normalised relative paths', () => {
    for (const ok of ['loss', 'a/b', 'val acc', 'x:y', 'a-b_c.d']) expect(KeySchema.safeParse(ok).success).toBe(true);
    for (const bad of ['', '/abs', 'a//b', '../x', 'a/../b', '.', 'bad$', 'k'.repeat(251), 'tab\t'])
      expect(KeySchema.safeParse(bad).success).toBe(false);
    expect(KeySchema.safeParse('k'.repeat(250)).success).toBe(true);
  });

  it('param values ≤ 6000, tag values ≤ 8000', () => {
    expect(ParamValueSchema.safeParse('x'.repeat(6000)).success).toBe(true);
    expect(ParamValueSchema.safeParse('x'.repeat(6001)).success).toBe(false);
    expect(TagValueSchema.safeParse('x'.repeat(8000)).success).toBe(true);
    expect(TagValueSchema.safeParse('x'.repeat(8001)).success).toBe(false);
  });

  it('ids: run ids are 32 hex, experiment ids decimal, names adjective-noun-NNN within 20 chars', () => {
    expect(newRunId()).toMatch(/^[0-9a-f]{32}$/);
    expect(newExperimentId()).toMatch(/^[1-9]\d{17}$/);
    for (let i = 0; i < 50; i++) {
      const n = newRunName();
      expect(n).toMatch(/^[a-z]+-[a-z]+-\d{3}$/);
      expect(n.length).toBeLessThanOrEqual(20);
    }
    expect(() => asRunId('bad id!')).toThrow(CairnError);
    expect(() => asWorkspaceId('../x')).toThrow(CairnError);
    expect(asWorkspaceId('team-a')).toBe('team-a');
  });

  it('error codes map 1:1 to MLflow HTTP statuses and survive the wire', () => {
    expect(httpStatusFor('INVALID_PARAMETER_VALUE')).toBe(400);
    expect(httpStatusFor('RESOURCE_ALREADY_EXISTS')).toBe(400);
    expect(httpStatusFor('RESOURCE_DOES_NOT_EXIST')).toBe(404);
    expect(httpStatusFor('PERMISSION_DENIED')).toBe(403);
    expect(httpStatusFor('UNAUTHENTICATED')).toBe(401);
    expect(httpStatusFor('RESOURCE_CONFLICT')).toBe(409);
    expect(httpStatusFor('REQUEST_LIMIT_EXCEEDED')).toBe(429);
    expect(httpStatusFor('NOT_IMPLEMENTED')).toBe(501);
    for (const c of ERROR_CODES) expect(httpStatusFor(c)).toBeGreaterThanOrEqual(400);
    const e = new CairnError('RESOURCE_DOES_NOT_EXIST', 'gone', { id: 1 });
    const w = JSON.parse(JSON.stringify(toWire(e)));
    expect(w).toEqual({ code: 'RESOURCE_DOES_NOT_EXIST', message: 'gone', details: { id: 1 } });
    const back = fromWire(w);
    expect(back).toBeInstanceOf(CairnError);
    expect(back.code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(toWire(new Error('boom'))).toEqual({ code: 'INTERNAL_ERROR', message: 'boom' });
  });

  it('parseInput names the field; safeRecord drops prototype keys', () => {
    try {
      parseInput(KeySchema, '../x', 'metric key');
      expect.unreachable();
    } catch (e) {
      expect((e as CairnError).code).toBe('INVALID_PARAMETER_VALUE');
      expect((e as CairnError).message).toContain('metric key');
    }
    const r = safeRecord(JSON.parse('{"__proto__": {"polluted": 1}, "constructor": 2, "ok": 3}'));
    expect(Object.keys(r)).toEqual(['ok']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
