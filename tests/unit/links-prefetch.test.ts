import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function* tsxFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsxFiles(p);
    else if (e.name.endsWith('.tsx')) yield p;
  }
}

describe('page load', () => {
  it('[CHART-14] no Next <Link> in components/ or app/ prefetches its target', () => {
    const offenders: string[] = [];
    for (const root of ['components', 'app']) {
      for (const f of tsxFiles(join(__dirname, '..', '..', root))) {
        const src = readFileSync(f, 'utf8');
        for (const m of src.matchAll(/<Link\b[^>]*>/gs)) if (!/prefetch=\{false\}/.test(m[0])) offenders.push(`${f}: ${m[0].slice(0, 80)}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
