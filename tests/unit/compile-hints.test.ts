import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const HINT = '//# allFunctionsCalledOnLoad\n';
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function site(): string {
  const out = mkdtempSync(join(tmpdir(), 'cairn-hints-'));
  dirs.push(out);
  mkdirSync(join(out, '_next/static/chunks'), { recursive: true });
  mkdirSync(join(out, 'run'), { recursive: true });
  const chunk = (name: string, body: string) => writeFileSync(join(out, '_next/static/chunks', name), body);
  chunk('framework.js', '(globalThis.TURBOPACK||=[]).push(1);\n//# sourceMappingURL=framework.js.map');
  chunk('page.js', '"use strict";function a(){}');
  chunk('run-page.js', 'function r(){}');
  chunk('polyfills.js', '!function(){}();');
  chunk('echarts.js', 'function big(){}');
  writeFileSync(
    join(out, 'index.html'),
    '<html><head><script data-cairn-early="">x()</script><script src="/_next/static/chunks/framework.js" async=""></script>' +
      '<script src="/_next/static/chunks/polyfills.js" noModule=""></script></head><body><script src="/_next/static/chunks/page.js" async=""></script></body></html>',
  );
  writeFileSync(join(out, 'run/index.html'), '<script src="/_next/static/chunks/framework.js" async=""></script><script src="/_next/static/chunks/run-page.js"></script>');
  return out;
}

const run = (out: string) => execFileSync(process.execPath, [join(__dirname, '../../scripts/compile-hints.mjs'), out], { encoding: 'utf8' });
const read = (out: string, name: string) => readFileSync(join(out, '_next/static/chunks', name), 'utf8');

describe('compile hints on the chunks pages load (BUILD-1)', () => {
  it('[BUILD-1] the chunks every page loads start with the hint; noModule and on-demand chunks stay byte for byte; a second run adds nothing', () => {
    const out = site();
    const before = { polyfills: read(out, 'polyfills.js'), echarts: read(out, 'echarts.js'), page: read(out, 'page.js') };
    expect(run(out)).toContain('3 chunks');
    expect(read(out, 'framework.js').startsWith(HINT + '(globalThis.TURBOPACK')).toBe(true);
    expect(read(out, 'page.js')).toBe(HINT + before.page);
    expect(read(out, 'run-page.js').startsWith(HINT)).toBe(true);
    expect(read(out, 'polyfills.js')).toBe(before.polyfills);
    expect(read(out, 'echarts.js')).toBe(before.echarts);
    const once = read(out, 'framework.js');
    run(out);
    expect(read(out, 'framework.js')).toBe(once);
    expect(once.split(HINT)).toHaveLength(2);
  });
});
