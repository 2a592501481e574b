import { describe, expect, it } from 'vitest';
import { ProgressLine } from '@/server/mlflow-io/progress';
import { formatImportSummary, emptyImportSummary } from '@/server/mlflow-io/summary';

function stream(isTTY: boolean): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = { isTTY, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

describe('progress and summary', () => {
  it('[MIO-9] a TTY gets one line redrawn in place; a log gets plain lines, throttled, and always the last state', () => {
    const tty = stream(true);
    const line = new ProgressLine('import', tty.out);
    line.update({ runsDone: 0, runsTotal: 2, points: 0, bytes: 0 });
    line.done({ runsDone: 2, runsTotal: 2, points: 10, bytes: 2048 });
    expect(tty.text()).toBe('\r\x1b[2Kimport: runs 0/2, 0 metric points, 0 B of artifacts\r\x1b[2Kimport: runs 2/2, 10 metric points, 2.0 KiB of artifacts\n');

    const log = stream(false);
    const plain = new ProgressLine('import', log.out);
    plain.update({ runsDone: 0, runsTotal: 3, points: 0, bytes: 0 });
    plain.update({ runsDone: 1, runsTotal: 3, points: 5, bytes: 0 });
    plain.done({ runsDone: 3, runsTotal: 3, points: 9, bytes: 0 });
    expect(log.text()).toBe('import: runs 0/3, 0 metric points, 0 B of artifacts\nimport: runs 3/3, 9 metric points, 0 B of artifacts\n');
  });

  it('[MIO-9] the summary names every count and lists each skipped item with its reason', () => {
    const s = emptyImportSummary();
    s.runs.created = 2;
    s.points = { written: 7, present: 3 };
    s.skipped.push({ kind: 'param', item: 'r1/lr', reason: 'conflict', detail: "the target has '1', the source '2'" });
    s.skipped.push({ kind: 'model registry', item: '1 registered models, 2 versions', reason: 'unsupported', detail: 'Cairn has no model registry yet (issue 9)' });
    const text = formatImportSummary(s);
    expect(text).toContain('runs         2 created, 0 completed, 0 already present\n');
    expect(text).toContain('metric points 7 written, 3 already present\n');
    expect(text).toContain('skipped      2: 1 param (conflict), 1 model registry (unsupported)\n');
    expect(text).toContain("  conflict: param r1/lr: the target has '1', the source '2'\n");
    expect(text).toContain('  unsupported: model registry 1 registered models, 2 versions: Cairn has no model registry yet (issue 9)\n');
  });
});
