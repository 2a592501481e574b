import type { ReactNode } from 'react';

/** A titled block of a page; the region is named by the title without its "(count)". */
export default function PageSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title.replace(/ \(\d+\)$/, '')} className="space-y-2">
      <h2 className="text-sm font-semibold text-stone-700">{title}</h2>
      {children}
    </section>
  );
}
