import type { Metadata } from 'next';
import { Suspense } from 'react';
import ModelView from '@/components/registry/ModelView';

export const metadata: Metadata = { title: 'Model · Cairn' };

/** Static export: the model's name travels in the query string (`/model/?name=`), read on the client. */
export default function ModelPage() {
  return (
    <Suspense fallback={<p className="text-sm text-stone-500">Loading…</p>}>
      <ModelView />
    </Suspense>
  );
}
