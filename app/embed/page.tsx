import type { Metadata } from 'next';
import { Suspense } from 'react';
import EmbedView from '@/components/boards/EmbedView';

export const metadata: Metadata = { title: 'Chart · Cairn' };

/** `/embed/?experiment=&runs=&metric=`: one chart alone, for iframes (AppShell draws this route without its header). */
export default function EmbedPage() {
  return (
    <Suspense fallback={<p className="text-sm text-stone-500">Loading…</p>}>
      <EmbedView />
    </Suspense>
  );
}
