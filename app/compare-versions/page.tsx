import type { Metadata } from 'next';
import { Suspense } from 'react';
import CompareVersionsView from '@/components/registry/CompareVersionsView';

export const metadata: Metadata = { title: 'Compare model versions · Cairn' };

/** Static export: `/compare-versions/?name=&versions=1,2`, read on the client. */
export default function CompareVersionsPage() {
  return (
    <Suspense fallback={<p className="text-sm text-stone-500">Loading…</p>}>
      <CompareVersionsView />
    </Suspense>
  );
}
