'use client';

import Link from 'next/link';
import { useSyncStatus } from '@/lib/react';
import PresenceList from './PresenceList';
import SyncBadge from './SyncBadge';
import ThemeToggle from './ThemeToggle';

/** The bar on every page: home, workspace, sync state, who else is here, settings. */
export default function AppHeader() {
  const { workspace } = useSyncStatus();
  return (
    <header className="border-b border-stone-200 bg-stone-50">
      <div className="mx-auto flex max-w-6xl items-center gap-4 px-4 py-2">
        <Link prefetch={false} href="/" className="text-lg font-semibold tracking-tight text-sky-800 hover:text-sky-900">
          Cairn
        </Link>
        <span className="text-sm text-stone-500">
          Workspace{' '}
          <span data-testid="workspace-name" className="font-medium text-stone-800">
            {workspace}
          </span>
        </span>
        <nav className="flex items-center gap-3 text-sm">
          <Link prefetch={false} href="/" className="text-stone-700 hover:text-sky-800">
            Experiments
          </Link>
          <Link prefetch={false} href="/models/" className="text-stone-700 hover:text-sky-800">
            Models
          </Link>
        </nav>
        <div className="ml-auto flex items-center gap-4">
          <PresenceList />
          <SyncBadge />
          <ThemeToggle />
          <Link href="/settings/" prefetch={false} className="text-sm text-stone-700 hover:text-sky-800">
            Settings
          </Link>
        </div>
      </div>
    </header>
  );
}
