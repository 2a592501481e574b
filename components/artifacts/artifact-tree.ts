import type { ArtifactRef } from '@/lib/domain';

/** A folder or file of a run's artifacts, built from the artifacts' paths (MLflow has no folder records). */
export interface ArtifactNode {
  name: string;
  /** The full path: a file's artifact path, a folder's prefix without the trailing slash. */
  path: string;
  /** Set on files only. */
  artifact?: ArtifactRef;
  /** Sorted: folders first, then files, each by name. Empty for files. */
  children: ArtifactNode[];
  /** Files under this node (1 for a file), for the folder's caption. */
  files: number;
  /** Bytes under this node. */
  size: number;
}

/**
 * ART-1: the folder tree of artifact paths. `a/b/c.txt` makes folders `a` and `a/b`. Empty segments (`a//b`,
 * a leading or trailing `/`) are dropped; a path that names both a file and a folder (`m` and `m/x`) keeps both, the
 * folder listed first.
 */
export function buildArtifactTree(artifacts: readonly ArtifactRef[]): ArtifactNode {
  const root: ArtifactNode = { name: '', path: '', children: [], files: 0, size: 0 };
  const folders = new Map<string, ArtifactNode>([['', root]]);
  for (const a of artifacts) {
    const parts = a.path.split('/').filter(Boolean);
    if (parts.length === 0) continue;
    let parent = root;
    let prefix = '';
    const chain = [root];
    for (const part of parts.slice(0, -1)) {
      prefix = prefix ? `${prefix}/${part}` : part;
      let f = folders.get(prefix);
      if (!f) {
        f = { name: part, path: prefix, children: [], files: 0, size: 0 };
        folders.set(prefix, f);
        parent.children.push(f);
      }
      parent = f;
      chain.push(f);
    }
    parent.children.push({ name: parts.at(-1)!, path: a.path, artifact: a, children: [], files: 1, size: a.size });
    for (const f of chain) {
      f.files += 1;
      f.size += a.size;
    }
  }
  sortTree(root);
  return root;
}

function sortTree(n: ArtifactNode): void {
  n.children.sort((a, b) => Number(!!a.artifact) - Number(!!b.artifact) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const c of n.children) sortTree(c);
}

/** A node as one row of the flattened, partly expanded tree. */
export interface ArtifactRow {
  node: ArtifactNode;
  depth: number;
  expanded: boolean;
}

/** The rows shown: every child of an expanded folder, depth first (the root itself is not a row). */
export function visibleRows(root: ArtifactNode, expanded: ReadonlySet<string>): ArtifactRow[] {
  const out: ArtifactRow[] = [];
  const walk = (n: ArtifactNode, depth: number) => {
    for (const c of n.children) {
      const open = !c.artifact && expanded.has(c.path);
      out.push({ node: c, depth, expanded: open });
      if (open) walk(c, depth + 1);
    }
  };
  walk(root, 0);
  return out;
}

/** Folders open at first: all of them in a small tree (up to `maxFiles` files), else none. */
export function initiallyExpanded(root: ArtifactNode, maxFiles = 50): Set<string> {
  const out = new Set<string>();
  if (root.files > maxFiles) return out;
  const walk = (n: ArtifactNode) => {
    for (const c of n.children) {
      if (c.artifact) continue;
      out.add(c.path);
      walk(c);
    }
  };
  walk(root);
  return out;
}

/**
 * REGUI-9: the folders of a run's artifacts that hold an `MLmodel` file directly (an MLflow model directory), which
 * the run page offers to register. A root-level `MLmodel` is not one: a version's source names a folder of the run
 * (`runs:/<run>/<folder>`), as MLflow's log_model always writes one.
 */
export function modelFolders(artifacts: readonly ArtifactRef[]): Set<string> {
  const out = new Set<string>();
  for (const a of artifacts) {
    const parts = a.path.split('/').filter(Boolean);
    if (parts.length > 1 && parts.at(-1) === 'MLmodel') out.add(parts.slice(0, -1).join('/'));
  }
  return out;
}
