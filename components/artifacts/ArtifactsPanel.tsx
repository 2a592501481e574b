'use client';

import { useMemo } from 'react';
import type { ArtifactRef } from '@/lib/domain';
import ArtifactsList from '../ArtifactsList';
import ArtifactUpload from './ArtifactUpload';
import ArtifactViewer from './ArtifactViewer';
import { ARTIFACTS_ANCHOR } from './artifact-link';
import { modelFolders } from './artifact-tree';
import RegisterModel from './RegisterModel';
import { useArtifactParam } from './use-artifact-param';

/** The run page's artifacts: the tree (a model folder offers "Register model"), the viewer of the chosen file, and the upload form. */
export default function ArtifactsPanel({ runId, artifacts, deleted }: { runId: string; artifacts: ArtifactRef[]; deleted: boolean }) {
  const [selectedPath, setSelectedPath] = useArtifactParam();
  const selected = artifacts.find((a) => a.path === selectedPath) ?? null;
  const models = useMemo(() => modelFolders(artifacts), [artifacts]);
  return (
    <div id={ARTIFACTS_ANCHOR} className="space-y-3">
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
        <ArtifactsList
          artifacts={artifacts}
          selected={selectedPath}
          onSelect={(a) => setSelectedPath(a.path)}
          folderAction={(path) => (models.has(path) ? <RegisterModel runId={runId} folder={path} disabled={deleted} /> : null)}
        />
        {selected ? (
          <ArtifactViewer key={selected.path + selected.sha256} artifact={selected} />
        ) : (
          artifacts.length > 0 && <p className="text-sm text-stone-500">Choose a file to see it here.</p>
        )}
      </div>
      <ArtifactUpload runId={runId} disabled={deleted} />
    </div>
  );
}
