import type { Metadata } from 'next';
import { Suspense } from 'react';
import DashboardsView from '@/components/boards/DashboardsView';

export const metadata: Metadata = { title: 'Dashboards · Cairn' };

/** Static export: the experiment (and dashboard) id travel in the query string (`/dashboards/?experiment=&board=`). */
export default function DashboardsPage() {
  return (
    <Suspense fallback={<p className="text-sm text-stone-500">Loading…</p>}>
      <DashboardsView />
    </Suspense>
  );
}
