import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelay, type RelayHandle } from '../../../server/relay/relay-server';
import type { RelayOptions } from '../../../server/relay/config';

export function tempDir(prefix = 'cairn-relay-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestRelay extends RelayHandle {
  dataDir: string;
  logs: string[];
  /** Closes the relay and removes its data dir. */
  dispose(): Promise<void>;
}

/** A real relay on a loopback port with a fresh data dir (real SQLite unless `storage: 'memory'`). */
export async function startTestRelay(opts: Partial<RelayOptions> = {}): Promise<TestRelay> {
  const dir = opts.dataDir ? null : tempDir();
  const dataDir = opts.dataDir ?? dir!.path;
  const logs: string[] = [];
  const handle = await startRelay({ port: 0, auth: 'open', ...opts, dataDir, log: (l) => logs.push(l) });
  return {
    ...handle,
    dataDir,
    logs,
    async dispose() {
      await handle.close();
      dir?.remove();
    },
  };
}
