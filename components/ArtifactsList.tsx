import type { ArtifactRef } from '@/lib/domain';
import { formatBytes, formatTime } from './format';
import TableHead from './TableHead';

export default function ArtifactsList({ artifacts }: { artifacts: ArtifactRef[] }) {
  if (artifacts.length === 0) return <p className="text-sm text-stone-500">No artifacts.</p>;
  const sorted = [...artifacts].sort((a, b) => a.path.localeCompare(b.path));
  return (
    <table aria-label="Artifacts" data-testid="artifacts" className="w-full border-collapse text-sm">
      <TableHead columns={[{ label: 'Path' }, { label: 'Size', className: 'text-right' }, { label: 'Type' }, { label: 'Logged' }]} />
      <tbody>
        {sorted.map((a) => (
          <tr key={a.path} className="border-b border-stone-100">
            <td className="py-1 pr-4 font-mono text-xs" title={`sha256 ${a.sha256}`}>
              {a.path}
            </td>
            <td className="py-1 pr-4 text-right text-xs">{formatBytes(a.size)}</td>
            <td className="py-1 pr-4 text-xs text-stone-600">{a.mediaType}</td>
            <td className="py-1 text-xs text-stone-600">{formatTime(a.loggedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
