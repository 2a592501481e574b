import type { WireError } from '@/lib/domain';

/** A query that failed: its code and message, as the data layer reported them. */
export default function LoadError({ error }: { error: WireError }) {
  return (
    <p role="alert" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      <span className="font-mono text-xs">{error.code}</span> {error.message}
    </p>
  );
}
