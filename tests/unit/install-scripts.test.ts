import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * npm 12 skips every dependency install script that package.json's `allowScripts` does not approve; without
 * better-sqlite3's native build the first README command fails. The lockfile carries no `resolved` URLs, so npm cannot
 * match version-pinned keys (`pkg@1.2.3`): approvals are by name, and the version is pinned where the dependency is
 * declared instead. This test keeps the list exact as dependencies change.
 */
const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  allowScripts?: Record<string, boolean>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
};

const withScripts = Object.entries(lock.packages)
  .filter(([path, p]) => path !== '' && p.hasInstallScript)
  .map(([path, p]) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: p.version! }));

describe('install scripts', () => {
  it('allowScripts decides for exactly the locked packages that have install scripts', () => {
    expect(Object.keys(pkg.allowScripts ?? {}).sort()).toEqual([...new Set(withScripts.map((p) => p.name))].sort());
    // Denied on purpose: onnxruntime-node's script downloads CUDA binaries from a host this machine cannot reach (its
    // CPU binary ships in the package); protobufjs' only prints a notice. Every other script is approved.
    const denied = Object.entries(pkg.allowScripts ?? {}).filter(([, v]) => v !== true).map(([k]) => k).sort();
    expect(denied).toEqual(['onnxruntime-node', 'protobufjs']);
    expect(Object.values(pkg.allowScripts ?? {}).every((v) => typeof v === 'boolean')).toBe(true);
  });

  it('every approved package that is a direct dependency is pinned to the locked version', () => {
    for (const { name, version } of withScripts) {
      const spec = pkg.dependencies[name] ?? pkg.devDependencies[name];
      if (spec !== undefined) expect(spec, name).toBe(version);
    }
  });
});
