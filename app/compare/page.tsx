import type { Metadata } from 'next';
import { Suspense } from 'react';
import CompareView from '@/components/compare/CompareView';

export const metadata: Metadata = { title: 'Compare runs · Cairn' };

/** Static export: experiment and run ids travel in the query string (`/compare/?experiment=&runs=`), read on the client. */
export default function ComparePage() {
  return (
    <Suspense fallback={<p className="text-sm text-stone-500">Loading…</p>}>
      <CompareView />
    </Suspense>
  );
}
