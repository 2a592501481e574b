import Link from 'next/link';

/** The experiment's two pages, "Runs | Dashboards": shown on both, the current one marked for screen readers too. */
export default function ExperimentNav({ experimentId, current }: { experimentId: string; current: 'runs' | 'dashboards' }) {
  const id = encodeURIComponent(experimentId);
  const items = [
    { key: 'runs', label: 'Runs', href: `/experiment/?id=${id}` },
    { key: 'dashboards', label: 'Dashboards', href: `/dashboards/?experiment=${id}` },
  ] as const;
  return (
    <nav aria-label="Experiment" className="flex gap-1 border-b border-stone-200 text-sm dark:border-stone-700">
      {items.map((it) => {
        const on = it.key === current;
        return (
          <Link prefetch={false}
            key={it.key}
            href={it.href}
            aria-current={on ? 'page' : undefined}
            className={`-mb-px rounded-t border-b-2 px-3 py-1.5 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 ${
              on ? 'border-sky-700 font-medium text-sky-900' : 'border-transparent text-stone-600 hover:text-sky-800'
            }`}
          >
            {it.label}
          </Link>
        );
      })}
    </nav>
  );
}
