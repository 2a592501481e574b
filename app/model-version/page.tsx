import type { Metadata } from 'next';
import { Suspense } from 'react';
import VersionPlayground from '@/components/models/VersionPlayground';
import VersionView from '@/components/registry/VersionView';

export const metadata: Metadata = { title: 'Model version · Cairn' };

/** Static export: `/model-version/?name=&version=` (or `&id=<versionId>` while pending), read on the client; the
 * prediction playground reads the version on screen through components/registry's `usePlaygroundVersion`. */
export default function ModelVersionPage() {
  return (
    <Suspense fallback={<p className="text-sm text-stone-500">Loading…</p>}>
      <VersionView playground={<VersionPlayground />} />
    </Suspense>
  );
}
