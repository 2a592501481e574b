import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ArtifactRef } from '@/lib/domain';
import { buildArtifactTree, initiallyExpanded, visibleRows } from '@/components/artifacts/artifact-tree';
import { delimiterFor, parseDelimited } from '@/components/artifacts/delimited';
import { prettyJson, viewerKind } from '@/components/artifacts/viewer-kind';
import { contentDisposition } from '@/server/relay/http-routes';
import { Sha256Stream } from '@/workers/manage-sha256';

const ref = (path: string, size = 1): ArtifactRef => ({ path, size, sha256: 'a'.repeat(64) as ArtifactRef['sha256'], mediaType: 'text/plain', loggedAt: 1 });

describe('artifacts', () => {
  it('[ART-1] paths become a folder tree: folders first, sorted, with counts and sizes; expand/collapse flattens it', () => {
    const root = buildArtifactTree([ref('model/MLmodel', 10), ref('b.txt', 1), ref('model/data/w.bin', 100), ref('a.png', 2), ref('//odd//x.txt', 3), ref('model', 5)]);
    expect(root.children.map((c) => c.name)).toEqual(['model', 'odd', 'a.png', 'b.txt', 'model']);
    const model = root.children[0]!;
    expect(model.artifact).toBeUndefined();
    expect(model.children.map((c) => c.name)).toEqual(['data', 'MLmodel']);
    expect(model.files).toBe(2);
    expect(model.size).toBe(110);
    expect(root.files).toBe(6);
    expect(root.children[1]!.children[0]!.path).toBe('//odd//x.txt');

    const closed = visibleRows(root, new Set());
    expect(closed.map((r) => r.node.name)).toEqual(['model', 'odd', 'a.png', 'b.txt', 'model']);
    const open = visibleRows(root, new Set(['model', 'model/data']));
    expect(open.map((r) => [r.node.name, r.depth])).toEqual([
      ['model', 0],
      ['data', 1],
      ['w.bin', 2],
      ['MLmodel', 1],
      ['odd', 0],
      ['a.png', 0],
      ['b.txt', 0],
      ['model', 0],
    ]);
    expect([...initiallyExpanded(root)].sort()).toEqual(['model', 'model/data', 'odd']);
    expect(initiallyExpanded(root, 3).size).toBe(0);
  });

  it('[ART-2] the viewer is chosen by name, then media type', () => {
    expect(viewerKind('plots/loss.png', 'application/octet-stream')).toBe('image');
    expect(viewerKind('model/MLmodel', 'application/octet-stream')).toBe('text');
    expect(viewerKind('MLproject', '')).toBe('text');
    expect(viewerKind('conf.yaml', '')).toBe('text');
    expect(viewerKind('train.log', '')).toBe('text');
    expect(viewerKind('metrics.json', '')).toBe('json');
    expect(viewerKind('data.csv', '')).toBe('table');
    expect(viewerKind('data.TSV', '')).toBe('table');
    expect(viewerKind('report.html', '')).toBe('html');
    expect(viewerKind('paper.pdf', '')).toBe('pdf');
    expect(viewerKind('blob', 'image/jpeg')).toBe('image');
    expect(viewerKind('weights.bin', 'application/octet-stream')).toBe('none');
    expect(prettyJson('{"a":[1,2]}').text).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    expect(prettyJson('{"a":').parsed).toBe(false);
  });

  it('[ART-3] CSV and TSV parse as RFC 4180, capped, and a cut last line is dropped', () => {
    expect(parseDelimited('a,b\n1,2\n', ',').rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseDelimited('a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",3', ',').rows).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', '3'],
    ]);
    expect(parseDelimited('a\tb\n1\t2', delimiterFor('x.tsv')).rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(delimiterFor('x.csv')).toBe(',');
    expect(parseDelimited('a,,c\n', ',').rows).toEqual([['a', '', 'c']]);
    const big = Array.from({ length: 50 }, (_, i) => `${i},${i * 2}`).join('\n');
    const capped = parseDelimited(big, ',', 10);
    expect(capped.rows).toHaveLength(10);
    expect(capped.more).toBe(true);
    const cut = parseDelimited('a,b\n1,2\n3,', ',', 100, true);
    expect(cut.rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(cut.more).toBe(true);
    expect(parseDelimited('', ',').rows).toEqual([]);
  });

  it('[ART-5] the incremental SHA-256 matches a one-shot hash for any split of the input', () => {
    const sizes = [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 70_000];
    for (const n of sizes) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + 7) & 0xff);
      const want = createHash('sha256').update(data).digest('hex');
      expect(new Sha256Stream().update(data).hex()).toBe(want);
      for (const step of [1, 7, 64, 1000]) {
        const h = new Sha256Stream();
        for (let i = 0; i < n; i += step) h.update(data.subarray(i, i + step));
        expect(h.hex(), `n=${n} step=${step}`).toBe(want);
      }
    }
  });

  it('[ART-6] download names are cleaned and RFC 5987-encoded', () => {
    expect(contentDisposition('loss.png')).toBe(`attachment; filename="loss.png"; filename*=UTF-8''loss.png`);
    expect(contentDisposition('../../etc/passwd')).toBe(`attachment; filename="passwd"; filename*=UTF-8''passwd`);
    const odd = contentDisposition('a"b\r\nc\u00e9 (1).txt');
    expect(odd).not.toMatch(/[\r\n]/);
    expect(odd).toContain('filename="a_b__c_ (1).txt"');
    expect(odd).toContain("filename*=UTF-8''a_b__c%C3%A9%20%281%29.txt");
    expect(contentDisposition('')).toContain('filename="artifact"');
  });
});
