'use client';

import { useMemo, useState, type ReactNode } from 'react';
import type { ArtifactRef } from '@/lib/domain';
import { buildArtifactTree, initiallyExpanded, visibleRows } from './artifacts/artifact-tree';
import { formatBytes, formatTime } from './format';
import TableHead from './TableHead';

/**
 * A run's artifacts as a folder tree (ART-1): folders from the paths, expand/collapse with their button (keyboard:
 * Tab to it, Enter or Space), a file's name button opens it in the viewer (`onSelect`).
 */
export default function ArtifactsList({
  artifacts,
  selected,
  onSelect,
  folderAction,
}: {
  artifacts: ArtifactRef[];
  selected?: string | null;
  onSelect?: (a: ArtifactRef) => void;
  /** Something to show beside a folder's name (the run page's "Register model" on a model folder), or null. */
  folderAction?: (folderPath: string) => ReactNode;
}) {
  const tree = useMemo(() => buildArtifactTree(artifacts), [artifacts]);
  // Folders the person toggled, against the default (all open in a small tree, all closed in a big one): a folder
  // that appears later (an upload) follows the default.
  const [toggled, setToggled] = useState<ReadonlySet<string>>(() => new Set());
  const open = useMemo(() => {
    const base = initiallyExpanded(tree);
    for (const p of toggled) {
      if (base.has(p)) base.delete(p);
      else base.add(p);
    }
    return base;
  }, [tree, toggled]);
  if (artifacts.length === 0) return <p data-testid="artifacts-empty" className="text-sm text-stone-500">No artifacts.</p>;
  const toggle = (path: string) => {
    const next = new Set(toggled);
    if (next.has(path)) next.delete(path);
    else next.add(path);
    setToggled(next);
  };
  return (
    <table aria-label="Artifacts" data-testid="artifacts" className="w-full border-collapse text-sm">
      <TableHead columns={[{ label: 'Path' }, { label: 'Size', className: 'text-right' }, { label: 'Logged' }]} />
      <tbody>
        {visibleRows(tree, open).map(({ node, depth, expanded: isOpen }) => {
          const a = node.artifact;
          const isSelected = a && selected === a.path;
          return (
            <tr key={(a ? 'f:' : 'd:') + node.path} data-testid={a ? 'artifact-file' : 'artifact-folder'} className={`border-b border-stone-100 ${isSelected ? 'bg-sky-50' : ''}`}>
              <td className="py-1 pr-4 font-mono text-xs" style={{ paddingLeft: `${depth * 1.25}rem` }} title={a ? `sha256 ${a.sha256}` : undefined}>
                {a ? (
                  <button
                    type="button"
                    onClick={() => onSelect?.(a)}
                    aria-current={isSelected ? 'true' : undefined}
                    className="rounded px-0.5 text-left text-sky-800 hover:underline focus-visible:outline-2 focus-visible:outline-sky-600"
                  >
                    {node.name}
                  </button>
                ) : (
                  <button
                    type="button"
                    aria-expanded={isOpen}
                    onClick={() => toggle(node.path)}
                    className="rounded px-0.5 text-left text-stone-800 focus-visible:outline-2 focus-visible:outline-sky-600"
                  >
                    <span aria-hidden className="inline-block w-4">{isOpen ? '▾' : '▸'}</span>
                    {node.name}/ <span className="text-stone-500">({node.files})</span>
                  </button>
                )}
                {!a && folderAction && <span className="ml-2">{folderAction(node.path)}</span>}
              </td>
              <td className="py-1 pr-4 text-right text-xs">{formatBytes(node.size)}</td>
              <td className="py-1 text-xs text-stone-600">{a ? formatTime(a.loggedAt) : ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
