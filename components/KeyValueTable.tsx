import TableHead from './TableHead';

/** Params or tags of a run. `mutedPrefix` keys (system tags, `mlflow.*`) are shown, only greyed. */
export default function KeyValueTable({
  label,
  entries,
  mutedPrefix,
  testId,
}: {
  label: string;
  entries: Record<string, string>;
  mutedPrefix?: string;
  testId: string;
}) {
  const keys = Object.keys(entries).sort((a, b) => a.localeCompare(b));
  if (keys.length === 0) return <p className="text-sm text-stone-500">No {label.toLowerCase()}.</p>;
  return (
    <table aria-label={label} data-testid={testId} className="w-full border-collapse text-sm">
      <TableHead columns={[{ label: 'Key', className: 'w-1/3' }, { label: 'Value' }]} />
      <tbody>
        {keys.map((k) => {
          const muted = mutedPrefix !== undefined && k.startsWith(mutedPrefix);
          return (
            <tr key={k} className={`border-b border-stone-100 ${muted ? 'text-stone-400' : ''}`}>
              <td className="py-1 pr-4 font-mono text-xs">{k}</td>
              <td className="break-all py-1 font-mono text-xs">{entries[k]}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
