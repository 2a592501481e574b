/** The TypeScript loader node projects' children get (RUN-14), for a project outside this repository. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectSuite, runCairn, writeProject } from './helpers';

const s = projectSuite('cairn-run-ts-');

describe('TypeScript loader', () => {
  it('[RUN-14] a TypeScript project in a temp folder runs on Node 20: types stripped, ./x and ./x.js find x.ts, cairn/sdk resolves to this package', async () => {
    const dir = writeProject(join(s.tmp.path, 'outside'), {
      MLproject: 'node_env:\n  node: ">=20"\nentry_points:\n  main:\n    parameters:\n      k: {type: float, default: 3}\n    command: "node main.ts {k}"\n',
      'main.ts': [
        "import { connect, type ActiveRun } from 'cairn/sdk';",
        "import { square } from './math';",
        "import { label } from './names.js';",
        'interface Point { step: number; value: number }',
        'const k: number = Number(process.argv[2]);',
        'const cairn = await connect();',
        'const run: ActiveRun = await cairn.startRun();',
        'const points: Point[] = [1, 2, 3].map((step) => ({ step, value: square(step) * k }));',
        'for (const p of points) run.logMetric(label, p.value, { step: p.step });',
        'await run.flush();',
        'await cairn.close();',
        'console.log(`logged ${points.length} points of ${label}`);',
      ].join('\n'),
      'math.ts': 'export const square = (x: number): number => x * x;\n',
      'names.ts': "export const label: string = 'scaled_square';\n",
    });
    const r = await runCairn(s.cli, ['run', dir, '-P', 'k=2'], { env: { CAIRN_RELAY: s.relay.url, CAIRN_PROJECTS_CACHE: join(s.tmp.path, 'cache') }, cwd: s.tmp.path });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('logged 3 points of scaled_square\n');
    const points = await s.client.getMetricHistory(r.runId!, 'scaled_square');
    expect(points.map((p) => [p.step, p.value])).toEqual([[1, 2], [2, 8], [3, 18]]);
    expect((await s.client.getRun(r.runId!))!.info.status).toBe('FINISHED');
  });

  it('[RUN-14] a TypeScript error points at the .ts file and line (source maps on)', async () => {
    const dir = writeProject(join(s.tmp.path, 'throws'), {
      MLproject: 'node_env:\n  node: ">=20"\nentry_points:\n  main:\n    command: "node bad.ts"\n',
      'bad.ts': 'const n: number = 1;\n\nfunction fail(x: number): never {\n  throw new Error(`bad ${x}`);\n}\nfail(n);\n',
    });
    const r = await runCairn(s.cli, ['run', dir], { env: { CAIRN_RELAY: s.relay.url, CAIRN_PROJECTS_CACHE: join(s.tmp.path, 'cache') }, cwd: s.tmp.path });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: bad 1');
    expect(r.stderr).toMatch(/bad\.ts:4:\d+/);
    expect((await s.client.getRun(r.runId!))!.info.status).toBe('FAILED');
  });
});
