'use client';

import type { ModelFilesView } from '@/lib/react';
import TableHead from '../TableHead';
import { schemaRows } from './signature-rows';

/**
 * REGUI-5: a version's signature (read from the MLmodel of its source folder): inputs and outputs with name, type,
 * shape and optional; "No signature" when the MLmodel has none, and the reason when the MLmodel could not be read.
 */
export default function SignatureTable({ files }: { files: ModelFilesView }) {
  if (files.state !== 'ok') {
    return (
      <p data-testid="signature-missing" className="text-sm text-stone-500">
        No signature: {files.message}
      </p>
    );
  }
  if (!files.signature) {
    return (
      <p data-testid="signature-none" className="text-sm text-stone-500">
        No signature: this model was logged without one (its MLmodel has no <span className="font-mono">signature</span>).
      </p>
    );
  }
  return (
    <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
      {(['inputs', 'outputs'] as const).map((side) => {
        const rows = schemaRows(files.signature![side]);
        return (
          <div key={side}>
            <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-stone-500">{side === 'inputs' ? 'Inputs' : 'Outputs'}</h3>
            {rows.length === 0 ? (
              <p className="text-sm text-stone-500">None declared.</p>
            ) : (
              <table aria-label={`Signature ${side}`} data-testid={`signature-${side}`} className="w-full border-collapse text-sm">
                <TableHead columns={[{ label: 'Name' }, { label: 'Type' }, { label: 'Shape' }, { label: 'Optional' }]} />
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.name} data-testid="signature-row" className="border-b border-stone-100">
                      <td className="py-1 pr-4 font-mono text-xs">{r.name}</td>
                      <td className="py-1 pr-4 font-mono text-xs">{r.type}</td>
                      <td className="py-1 pr-4 font-mono text-xs">{r.shape || '—'}</td>
                      <td className="py-1 text-xs">{r.optional ? 'optional' : 'required'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        );
      })}
      {files.signature.params && files.signature.params.length > 0 && (
        <p className="text-xs text-stone-600 md:col-span-2">
          Params: <span className="font-mono">{files.signature.params.map((p) => p.name).join(', ')}</span>
        </p>
      )}
    </div>
  );
}
