import type { Metadata } from 'next';
import { Suspense } from 'react';
import RunView from '@/components/RunView';

export const metadata: Metadata = { title: 'Run · Cairn' };

/** Static export: the run id travels in the query string (`/run/?id=`), read on the client. */
export default function RunPage() {
  return (
    <Suspense fallback={<p className="text-sm text-stone-500">Loading…</p>}>
      <RunView />
    </Suspense>
  );
}
