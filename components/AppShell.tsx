'use client';

import { usePathname } from 'next/navigation';
import type { ReactNode } from 'react';
import { DataProvider } from '@/lib/react';
import AppHeader from './AppHeader';

/** Pages drawn alone, for iframes in notebooks and docs: no header, no page margins. */
const CHROMELESS = ['/embed'];

/** Mounted once by app/layout.tsx: the data provider around the header and the page. */
export default function AppShell({ children }: { children: ReactNode }) {
  const path = usePathname() ?? '';
  const bare = CHROMELESS.some((p) => path === p || path.startsWith(`${p}/`));
  return (
    <DataProvider>
      {bare ? (
        <main className="h-screen w-full p-2">{children}</main>
      ) : (
        <>
          <AppHeader />
          <main className="mx-auto max-w-6xl px-4 py-6">{children}</main>
        </>
      )}
    </DataProvider>
  );
}
