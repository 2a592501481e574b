'use client';

import type { ReactNode } from 'react';
import { DataProvider } from '@/lib/react';
import AppHeader from './AppHeader';

/** Mounted once by app/layout.tsx: the data provider around the header and the page. */
export default function AppShell({ children }: { children: ReactNode }) {
  return (
    <DataProvider>
      <AppHeader />
      <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
    </DataProvider>
  );
}
