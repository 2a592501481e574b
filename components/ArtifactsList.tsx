import type { ArtifactRef } from '@/lib/domain';
import { formatBytes, formatTime } from './format';

export default function ArtifactsList({ artifacts }: { artifacts: ArtifactRef[] }) {
  if (artifacts.length === 0) return <p className="text-sm text-stone-500">No artifacts.</p>;
  const sorted = [...artifacts].sort((a, b) => a.path.localeCompare(b.path));
  return (
    <table aria-label="Artifacts" data-testid="artifacts" className="w-full border-collapse text-sm">
      <thead>
        <tr className="border-b border-stone-300 text-left text-xs uppercase tracking-wide text-stone-500">
          <th className="py-1 pr-4 font-medium">Path</th>
          <th className="py-1 pr-4 text-right font-medium">Size</th>
          <th className="py-1 pr-4 font-medium">Type</th>
          <th className="py-1 font-medium">Logged</th>
        </tr>
      </thead>
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
