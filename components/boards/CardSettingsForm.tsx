'use client';

import { useId, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useRunsPage, type CardConfig, type CardKind, type RunId, type RunRow, type RunSelection } from '@/lib/react';
import AxesChooser from '../compare/AxesChooser';
import AxisSelect from '../compare/AxisSelect';
import { availableAxes } from '../compare/run-values';
import { errorMessage, runLabel } from '../format';
import { CARD_KINDS, DEFAULT_CARD_RUNS, defaultCard } from './card-kinds';

/** Runs the form offers to choose from (and reads param keys from): the newest this many of the experiment. */
const RUNS_OFFERED = 200;
const MAX_PARALLEL_AXES = 20;

const field = 'rounded border border-stone-300 bg-white px-1.5 py-0.5 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 dark:bg-stone-900 dark:border-stone-600';

/**
 * The settings of a dashboard card (and the "Add card" form): what it shows and of which runs. The command validates
 * (lib/doc boards.ts); its refusal is shown as it is.
 */
export default function CardSettingsForm(p: {
  experimentId: string;
  initial: CardConfig | null;
  submitLabel: string;
  onSubmit: (c: CardConfig) => Promise<unknown>;
  onCancel: () => void;
}) {
  const page = useRunsPage(p.experimentId, RUNS_OFFERED);
  const runs = useMemo(() => page.data?.runs ?? [], [page.data]);
  const [draft, setDraft] = useState<CardConfig | null>(p.initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { kind: useId(), title: useId(), metric: useId(), error: useId() };
  const config = draft ?? (page.data ? defaultCard('line', runs) : null);
  if (!config) return <p className="text-sm text-stone-500 dark:text-stone-400">Loading the experiment's runs…</p>;
  const metricKeys = page.data?.metricKeys ?? [];
  const set = (c: CardConfig) => setDraft(c);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await p.onSubmit(config!);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="Card settings" className="space-y-2 rounded border border-stone-200 bg-stone-50 p-3 text-sm dark:border-stone-700 dark:bg-stone-800">
      <div className="flex flex-wrap gap-3">
        {p.initial === null && (
          <Row id={ids.kind} label="Chart">
            <select id={ids.kind} value={config.kind} onChange={(e) => set({ ...defaultCard(e.target.value as CardKind, runs), title: config.title })} className={field}>
              {CARD_KINDS.map((k) => (
                <option key={k.kind} value={k.kind}>
                  {k.label}
                </option>
              ))}
            </select>
          </Row>
        )}
        <Row id={ids.title} label="Title">
          <input id={ids.title} value={config.title} placeholder="(what it shows)" onChange={(e) => set({ ...config, title: e.target.value })} className={field} />
        </Row>
        {(config.kind === 'line' || config.kind === 'bar' || config.kind === 'table') && (
          <Row id={ids.metric} label="Metric">
            <select id={ids.metric} value={config.metric} onChange={(e) => set({ ...config, metric: e.target.value })} className={`${field} font-mono`}>
              {[...new Set([config.metric, ...metricKeys])].map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </Row>
        )}
      </div>
      <KindFields config={config} runs={runs} set={set} />
      {config.kind !== 'table' && <SelectionFields selection={config.runs} runs={runs} onChange={(runs) => set({ ...config, runs })} />}
      {error && (
        <p id={ids.error} role="alert" data-testid="card-settings-error" className="text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
      <div className="flex gap-2">
        <button type="submit" disabled={busy} className="rounded bg-sky-700 px-3 py-1 text-sm font-medium text-white hover:bg-sky-800 disabled:opacity-50">
          {p.submitLabel}
        </button>
        <button type="button" onClick={p.onCancel} className="rounded border border-stone-300 px-3 py-1 text-sm hover:bg-stone-100 dark:border-stone-600 dark:hover:bg-stone-800">
          Cancel
        </button>
      </div>
    </form>
  );
}

function Row({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <span className="inline-flex items-center gap-1">
      <label htmlFor={id} className="text-stone-600 dark:text-stone-400">
        {label}
      </label>
      {children}
    </span>
  );
}

/** The fields only some kinds have: axes of a scatter or parallel coordinates, order and filter of a runs table. */
function KindFields({ config, runs, set }: { config: CardConfig; runs: RunRow[]; set: (c: CardConfig) => void }) {
  const axes = useMemo(() => availableAxes(runs), [runs]);
  const ids = { order: useId(), limit: useId(), filter: useId() };
  switch (config.kind) {
    case 'scatter':
      return (
        <div className="flex flex-wrap gap-3">
          <AxisSelect label="x" axes={axes} value={config.x} onChange={(x) => set({ ...config, x })} />
          <AxisSelect label="y" axes={axes} value={config.y} onChange={(y) => set({ ...config, y })} />
        </div>
      );
    case 'parallel':
      return <AxesChooser axes={axes} chosen={config.axes} onChange={(a) => set({ ...config, axes: a })} max={MAX_PARALLEL_AXES} />;
    case 'table':
      return (
        <div className="flex flex-wrap gap-3">
          <Row id={ids.order} label="Order">
            <select id={ids.order} value={config.order} onChange={(e) => set({ ...config, order: e.target.value === 'asc' ? 'asc' : 'desc' })} className={field}>
              <option value="desc">highest first</option>
              <option value="asc">lowest first</option>
            </select>
          </Row>
          <Row id={ids.limit} label="Rows">
            <input id={ids.limit} type="number" min={1} value={config.limit} onChange={(e) => set({ ...config, limit: Number(e.target.value) })} className={`${field} w-20`} />
          </Row>
          <Row id={ids.filter} label="Filter">
            <input id={ids.filter} value={config.filter} placeholder="params.lr = '0.01'" onChange={(e) => set({ ...config, filter: e.target.value })} className={`${field} w-72 font-mono`} />
          </Row>
        </div>
      );
    default:
      return null;
  }
}

/** Which runs a chart card draws: the first N matching a filter (newest first), or runs chosen one by one. */
function SelectionFields({ selection, runs, onChange }: { selection: RunSelection; runs: RunRow[]; onChange: (s: RunSelection) => void }) {
  const ids = { filter: useId(), limit: useId(), group: useId() };
  const chosen = selection.mode === 'selected' ? new Set<string>(selection.runIds) : new Set<string>();
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onChange({ mode: 'selected', runIds: [...next] as RunId[] });
  };
  return (
    <fieldset className="space-y-1">
      <legend className="text-stone-600 dark:text-stone-400">Runs</legend>
      <label className="mr-4 inline-flex items-center gap-1">
        <input type="radio" name={ids.group} checked={selection.mode === 'filter'} onChange={() => onChange({ mode: 'filter', filter: '', limit: DEFAULT_CARD_RUNS })} />
        First runs matching a filter
      </label>
      <label className="inline-flex items-center gap-1">
        <input type="radio" name={ids.group} checked={selection.mode === 'selected'} onChange={() => onChange({ mode: 'selected', runIds: runs.slice(0, 2).map((r) => r.info.runId) })} />
        Chosen runs
      </label>
      {selection.mode === 'filter' ? (
        <div className="flex flex-wrap gap-3">
          <Row id={ids.limit} label="How many">
            <input id={ids.limit} type="number" min={1} value={selection.limit} onChange={(e) => onChange({ ...selection, limit: Number(e.target.value) })} className={`${field} w-20`} />
          </Row>
          <Row id={ids.filter} label="Filter">
            <input id={ids.filter} value={selection.filter} placeholder="(all runs, newest first)" onChange={(e) => onChange({ ...selection, filter: e.target.value })} className={`${field} w-72 font-mono`} />
          </Row>
        </div>
      ) : (
        <ul aria-label="Chosen runs" className="max-h-40 overflow-y-auto rounded border border-stone-200 bg-white p-1 dark:bg-stone-900 dark:border-stone-700">
          {runs.map((r) => (
            <li key={r.info.runId}>
              <label className="inline-flex items-center gap-1">
                <input type="checkbox" checked={chosen.has(r.info.runId)} onChange={() => toggle(r.info.runId)} />
                {runLabel(r.info)}
              </label>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
