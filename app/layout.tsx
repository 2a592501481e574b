import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import AppShell from '@/components/AppShell';
import SwRegister from '@/components/SwRegister';
import { THEME_SCRIPT } from '@/components/theme';
import './globals.css';

export const metadata: Metadata = {
  title: 'Cairn',
  description: 'Local-first ML lifecycle: tracking, registry and deployment.',
};

/**
 * Starts the data worker (public/data-worker.js, built by scripts/build-node.mjs) while the page is still parsing,
 * before Next's runtime and React load: its script, IndexedDB and the relay's first sync then overlap with them.
 * lib/react's DataProvider adopts it from `window.__cairnWorker`. Production only: `next dev` serves the source. Its
 * name carries the page's path and query (workers/page-hint.ts): a run or compare page opened cold has its metrics
 * docs fetched while the rest still loads (components/charts/SPEC.md CHART-14).
 */
const START_WORKER = `try{window.__cairnWorker=new Worker('/data-worker.js',{type:'module',name:'cairn-page:'+location.pathname+location.search})}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The theme script sets <html>'s class before React hydrates: the attribute differs from the server's by design.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Before first paint: the saved theme or the system's, so a dark page never flashes light (RUNPAGE-8). */}
        {/* data-cairn-early: moved to the very start of <head> after the export (scripts/hoist-early-scripts.mjs). */}
        <script data-cairn-early="" dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
        {process.env.NODE_ENV === 'production' && <script data-cairn-early="" dangerouslySetInnerHTML={{ __html: START_WORKER }} />}
      </head>
      <body className="min-h-screen bg-white text-stone-900 antialiased">
        <AppShell>{children}</AppShell>
        <SwRegister />
      </body>
    </html>
  );
}
