'use client';

import { useState } from 'react';
import type { FormEvent } from 'react';
import { useCommands, useSettings, useSyncStatus } from '@/lib/react';
import type { Settings } from '@/lib/react';
import { errorMessage } from './format';
import SettingsField from './SettingsField';

type Draft = { relayUrl: string; workspace: string; token: string; userName: string };

function fromSettings(s: Settings | undefined): Draft {
  return { relayUrl: s?.relayUrl ?? '', workspace: s?.workspace ?? '', token: s?.token ?? '', userName: s?.userName ?? '' };
}

/** `/settings/`: where this browser syncs to and as whom. Untouched fields follow the stored values. */
export default function SettingsForm() {
  const settings = useSettings();
  const status = useSyncStatus();
  const commands = useCommands();
  const [edits, setEdits] = useState<Partial<Draft>>({});
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const current = fromSettings(settings.data);
  const value: Draft = { ...current, ...edits };
  const edit = (k: keyof Draft) => (v: string) => {
    setEdits((e) => ({ ...e, [k]: v }));
    setMessage(null);
  };

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      await commands.saveSettings({
        relayUrl: value.relayUrl.trim() || null,
        workspace: value.workspace.trim(),
        token: value.token.trim() || null,
        userName: value.userName.trim(),
      });
      setEdits({});
      setMessage({ kind: 'ok', text: 'Settings saved.' });
    } catch (err) {
      setMessage({ kind: 'error', text: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="settings-heading" className="max-w-2xl space-y-6">
      <h1 id="settings-heading" className="text-xl font-semibold">
        Settings
      </h1>
      <form onSubmit={save} aria-label="Settings" className="space-y-3">
        <SettingsField label="Relay URL" value={value.relayUrl} onChange={edit('relayUrl')} placeholder="http://127.0.0.1:5000 (empty: this device only)" />
        <SettingsField label="Workspace" value={value.workspace} onChange={edit('workspace')} placeholder="default" />
        <SettingsField label="Token" type="password" value={value.token} onChange={edit('token')} placeholder="none" />
        <SettingsField label="Display name" value={value.userName} onChange={edit('userName')} placeholder="shown to others in the workspace" />
        <div className="flex items-center gap-3">
          <button
            type="submit"
            disabled={busy || settings.data === undefined}
            className="rounded bg-sky-700 px-3 py-1 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50"
          >
            Save
          </button>
          {message && (
            <p
              role={message.kind === 'error' ? 'alert' : 'status'}
              data-testid="settings-message"
              className={`text-sm ${message.kind === 'error' ? 'text-red-700' : 'text-emerald-700'}`}
            >
              {message.text}
            </p>
          )}
        </div>
      </form>
      <section aria-labelledby="effective-heading" className="rounded border border-stone-200 bg-stone-50 p-3">
        <h2 id="effective-heading" className="mb-2 text-sm font-semibold text-stone-700">
          In effect
        </h2>
        <dl data-testid="settings-effective" className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-stone-500">Relay</dt>
          <dd data-testid="effective-relay" className="font-mono text-xs">{status.relay ?? 'none (this device only)'}</dd>
          <dt className="text-stone-500">Workspace</dt>
          <dd data-testid="effective-workspace" className="font-mono text-xs">{status.workspace}</dd>
          <dt className="text-stone-500">Token</dt>
          <dd data-testid="effective-token" className="text-xs">{current.token ? 'set' : 'not set'}</dd>
          <dt className="text-stone-500">Display name</dt>
          <dd data-testid="effective-name" className="text-xs">{current.userName || '—'}</dd>
          <dt className="text-stone-500">Sync</dt>
          <dd className="text-xs">
            {status.state}
            {status.detail ? ` — ${status.detail}` : ''}
          </dd>
        </dl>
      </section>
    </section>
  );
}
