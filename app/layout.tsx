import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import AppShell from '@/components/AppShell';
import SwRegister from '@/components/SwRegister';
import './globals.css';

export const metadata: Metadata = {
  title: 'Cairn',
  description: 'Local-first ML lifecycle: tracking, registry and deployment.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-white text-stone-900 antialiased">
        <AppShell>{children}</AppShell>
        <SwRegister />
      </body>
    </html>
  );
}
