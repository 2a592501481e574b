import type { Metadata } from 'next';
import { Suspense } from 'react';
import ExperimentView from '@/components/ExperimentView';

export const metadata: Metadata = { title: 'Experiment · Cairn' };

/** Static export: the experiment id travels in the query string (`/experiment/?id=`), read on the client. */
export default function ExperimentPage() {
  return (
    <Suspense fallback={<p className="text-sm text-stone-500">Loading…</p>}>
      <ExperimentView />
    </Suspense>
  );
}
