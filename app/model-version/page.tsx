import type { Metadata } from 'next';
import { Suspense } from 'react';
import VersionView from '@/components/registry/VersionView';

export const metadata: Metadata = { title: 'Model version · Cairn' };

/**
 * Static export: `/model-version/?name=&version=` (or `&id=<versionId>` while pending), read on the client. The
 * prediction playground mounts here: `<VersionView playground={<Playground />} />` (it reads the version with
 * components/registry's `usePlaygroundVersion`).
 */
export default function ModelVersionPage() {
  return (
    <Suspense fallback={<p className="text-sm text-stone-500">Loading…</p>}>
      <VersionView />
    </Suspense>
  );
}
