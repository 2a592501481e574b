import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Closer, REPO_ROOT, ensureSdkBuilt, runNode } from './helpers';

/** `cairn/sdk` as a user's script loads it: plain `node`, no TypeScript loader, through the package's exports. */
describe('cairn/sdk package entry points', () => {
  beforeAll(async () => {
    await ensureSdkBuilt();
  });

  const output = async (argv: string[], env: Record<string, string> = {}) => {
    const c = runNode(argv, env);
    const { code } = await c.exited;
    expect(code, c.stderr()).toBe(0);
    return c.stdout().trim();
  };

  it('[SDK-10] ESM: import("cairn/sdk") gives connect as a function', async () => {
    expect(await output(['--input-type=module', '-e', "import('cairn/sdk').then(m => console.log(typeof m.connect))"])).toBe('function');
    expect(await output(['--input-type=module', '-e', "import { connect, CairnError, ActiveRun } from 'cairn/sdk'; console.log([connect, CairnError, ActiveRun].map(x => typeof x).join(','))"])).toBe(
      'function,function,function',
    );
  });

  it('[SDK-10] CJS: require("cairn/sdk") gives connect as a function', async () => {
    expect(await output(['-e', "console.log(typeof require('cairn/sdk').connect)"])).toBe('function');
  });

  it('[SDK-10] types are published next to the bundles', () => {
    for (const f of ['index.mjs', 'index.cjs', 'index.d.ts']) expect(existsSync(join(REPO_ROOT, 'dist', 'sdk', f))).toBe(true);
  });

  it('[SDK-10] both builds log locally end to end (no relay) and share one journal format', async () => {
    const t = new Closer();
    try {
      const dir = t.dir();
      const esm = `import { connect } from 'cairn/sdk';
        const c = await connect({ relay: null, dataDir: process.env.D });
        const run = await c.startRun({ experimentName: 'pkg' });
        run.logMetric('x', 1, { step: 0 });
        await c.close();
        console.log(run.id);`;
      const runId = await output(['--input-type=module', '-e', esm], { D: dir });
      expect(runId).toMatch(/^[0-9a-f]{32}$/);
      const cjs = `const { connect } = require('cairn/sdk');
        (async () => {
          const c = await connect({ relay: null, dataDir: process.env.D });
          const run = await c.startRun({ runId: process.env.R });
          run.logMetric('x', 2, { step: 1 });
          const h = await c.getMetricHistory(process.env.R, 'x');
          await c.close();
          console.log(h.map((p) => p.value).join(','));
        })();`;
      expect(await output(['-e', cjs], { D: dir, R: runId })).toBe('1,2');
    } finally {
      await t.closeAll();
    }
  });
});
