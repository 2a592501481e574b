'use client';

import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useBoard, useBoards, useBoardsCommands, useExperiment, type Board, type BoardSummary } from '@/lib/react';
import { experimentLabel } from '../format';
import LoadError from '../LoadError';
import OneFieldForm from '../OneFieldForm';
import BoardGrid from './BoardGrid';
import BoardToolbar from './BoardToolbar';
import CardSettingsForm from './CardSettingsForm';
import ExperimentNav from './ExperimentNav';

const boardHref = (experimentId: string, boardId?: string) =>
  `/dashboards/?experiment=${encodeURIComponent(experimentId)}${boardId ? `&board=${encodeURIComponent(boardId)}` : ''}`;

/**
 * `/dashboards/?experiment=<expId>[&board=<boardId>]`: the experiment's dashboards (several; create, rename,
 * delete), the chosen one's cards on a grid. Stored in the workspace doc, so everyone sees everyone's changes live.
 */
export default function DashboardsView() {
  const params = useSearchParams();
  const experimentId = params.get('experiment') ?? '';
  const experiment = useExperiment(experimentId || null);
  const boards = useBoards(experimentId || null);

  if (!experimentId) return <p className="text-sm text-stone-600 dark:text-stone-400">No experiment given.</p>;
  if (experiment.error) return <LoadError error={experiment.error} />;
  const exp = experiment.data;
  if (exp === undefined) return <p className="text-sm text-stone-500 dark:text-stone-400">Loading experiment…</p>;
  if (exp === null) {
    return (
      <p data-testid="experiment-not-found" className="text-sm text-stone-600 dark:text-stone-400">
        Experiment <span className="font-mono">{experimentId}</span> does not exist in this workspace (yet: it may still be syncing).{' '}
        <Link prefetch={false} href="/" className="text-sky-800 hover:underline dark:text-sky-300">
          All experiments
        </Link>
      </p>
    );
  }
  const list = boards.data;
  const chosenId = params.get('board') ?? list?.[0]?.boardId ?? null;
  return (
    <section aria-labelledby="experiment-heading" className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-xs text-stone-500 dark:text-stone-400">
        <Link prefetch={false} href="/" className="hover:underline">
          Experiments
        </Link>{' '}
        /
      </nav>
      <h1 id="experiment-heading" className="text-xl font-semibold">
        {experimentLabel(exp)}
      </h1>
      <ExperimentNav experimentId={experimentId} current="dashboards" />
      {boards.error && <LoadError error={boards.error} />}
      {!list ? (
        <p className="text-sm text-stone-500 dark:text-stone-400">Loading dashboards…</p>
      ) : (
        <BoardPicker experimentId={experimentId} boards={list} chosenId={chosenId} />
      )}
      {list && list.length > 0 && chosenId && <ChosenBoard key={chosenId} boardId={chosenId} experimentId={experimentId} />}
    </section>
  );
}

/** The dashboards as a row of links (the chosen one marked) and the "New dashboard" form. */
function BoardPicker({ experimentId, boards, chosenId }: { experimentId: string; boards: BoardSummary[]; chosenId: string | null }) {
  const cmds = useBoardsCommands();
  const router = useRouter();
  return (
    <div className="flex flex-wrap items-center justify-between gap-3">
      {boards.length === 0 ? (
        <p data-testid="boards-empty" className="text-sm text-stone-500 dark:text-stone-400">
          No dashboards yet. Create one to put charts of this experiment's runs side by side.
        </p>
      ) : (
        <nav aria-label="Dashboards">
          <ul className="flex flex-wrap gap-1">
            {boards.map((b) => (
              <li key={b.boardId}>
                <Link prefetch={false}
                  href={boardHref(experimentId, b.boardId)}
                  aria-current={b.boardId === chosenId ? 'page' : undefined}
                  className={`rounded px-2 py-1 text-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 ${
                    b.boardId === chosenId ? 'bg-sky-100 font-medium text-sky-900' : 'text-stone-700 hover:bg-stone-100'
                  }`}
                >
                  {b.name}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <OneFieldForm
        name="New dashboard"
        label="Dashboard name"
        placeholder="Dashboard name"
        button="New dashboard"
        errorTestId="new-board-error"
        inputClassName="w-48"
        buttonClassName="bg-sky-700 text-white hover:bg-sky-800"
        submit={async (name) => {
          const id = await cmds.createBoard(experimentId, name);
          router.push(boardHref(experimentId, id));
        }}
      />
    </div>
  );
}

/** The chosen dashboard: its toolbar, the card settings form when adding or editing, and the grid. */
function ChosenBoard({ boardId, experimentId }: { boardId: string; experimentId: string }) {
  const board = useBoard(boardId);
  const [editing, setEditing] = useState<'new' | string | null>(null);
  if (board.error) return <LoadError error={board.error} />;
  if (board.data === undefined) return <p className="text-sm text-stone-500 dark:text-stone-400">Loading dashboard…</p>;
  if (board.data === null || board.data.experimentId !== experimentId) {
    return (
      <p data-testid="board-not-found" className="text-sm text-stone-600 dark:text-stone-400">
        This dashboard does not exist (it was deleted, or it has not synced yet).
      </p>
    );
  }
  const b = board.data;
  return (
    <section aria-label={`Dashboard ${b.name}`} className="space-y-3">
      <BoardToolbar board={b} onAddCard={() => setEditing('new')} />
      {editing && <CardEditor board={b} editing={editing} onDone={() => setEditing(null)} />}
      {b.cards.length === 0 ? (
        <p data-testid="board-no-cards" className="text-sm text-stone-500 dark:text-stone-400">
          No cards yet: “Add card” puts a chart of this experiment's runs here.
        </p>
      ) : (
        <BoardGrid board={b} onEdit={setEditing} />
      )}
    </section>
  );
}

function CardEditor({ board, editing, onDone }: { board: Board; editing: string; onDone: () => void }) {
  const cmds = useBoardsCommands();
  const card = editing === 'new' ? null : board.cards.find((c) => c.cardId === editing);
  if (editing !== 'new' && !card) return null; // removed meanwhile (by someone else)
  return (
    <CardSettingsForm
      key={editing}
      experimentId={board.experimentId}
      initial={card?.config ?? null}
      submitLabel={card ? 'Save card' : 'Add card'}
      onCancel={onDone}
      onSubmit={async (config) => {
        if (card) await cmds.updateCard(board.boardId, card.cardId, config);
        else await cmds.addCard(board.boardId, config);
        onDone();
      }}
    />
  );
}
