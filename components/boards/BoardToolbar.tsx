'use client';

import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { useBoardsCommands, type Board } from '@/lib/react';
import { errorMessage } from '../format';

const button = 'rounded border border-stone-300 px-2 py-1 text-sm hover:bg-stone-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600 dark:border-stone-600 dark:hover:bg-stone-800';

/** The chosen dashboard's name and actions: add a card, rename, delete (asked twice). */
export default function BoardToolbar({ board, onAddCard }: { board: Board; onAddCard: () => void }) {
  const cmds = useBoardsCommands();
  const router = useRouter();
  const [mode, setMode] = useState<'idle' | 'rename' | 'delete'>('idle');
  const [name, setName] = useState(board.name);
  const [error, setError] = useState<string | null>(null);
  const nameId = useId();

  async function run(f: () => Promise<unknown>) {
    setError(null);
    try {
      await f();
      setMode('idle');
    } catch (err) {
      setError(errorMessage(err));
    }
  }
  const rename = (e: FormEvent) => {
    e.preventDefault();
    void run(() => cmds.renameBoard(board.boardId, name));
  };

  return (
    <div className="space-y-1">
      <div className="flex flex-wrap items-center gap-2">
        {mode === 'rename' ? (
          <form onSubmit={rename} aria-label="Rename dashboard" className="flex items-center gap-2">
            <label htmlFor={nameId} className="sr-only">
              Dashboard name
            </label>
            <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} autoFocus className="rounded border border-stone-300 px-2 py-1 text-sm dark:border-stone-600" />
            <button type="submit" className={button}>
              Save
            </button>
            <button type="button" className={button} onClick={() => setMode('idle')}>
              Cancel
            </button>
          </form>
        ) : (
          <h2 data-testid="board-name" className="text-base font-semibold">
            {board.name}
          </h2>
        )}
        <span className="text-xs text-stone-500 dark:text-stone-400">{board.cards.length} cards</span>
        <div className="ml-auto flex flex-wrap gap-2">
          <button type="button" onClick={onAddCard} className="rounded bg-sky-700 px-3 py-1 text-sm font-medium text-white hover:bg-sky-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-600">
            Add card
          </button>
          {mode === 'idle' && (
            <>
              <button type="button" className={button} onClick={() => (setName(board.name), setMode('rename'))}>
                Rename
              </button>
              <button type="button" className={button} onClick={() => setMode('delete')}>
                Delete dashboard
              </button>
            </>
          )}
          {mode === 'delete' && (
            <span role="group" aria-label="Confirm delete" className="flex items-center gap-2 text-sm">
              Delete “{board.name}” and its {board.cards.length} cards for everyone?
              <button
                type="button"
                className="rounded bg-red-700 px-2 py-1 text-sm text-white hover:bg-red-800"
                onClick={() => void run(async () => {
                  await cmds.deleteBoard(board.boardId);
                  router.replace(`/dashboards/?experiment=${encodeURIComponent(board.experimentId)}`);
                })}
              >
                Delete
              </button>
              <button type="button" className={button} onClick={() => setMode('idle')}>
                Keep it
              </button>
            </span>
          )}
        </div>
      </div>
      {error && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
    </div>
  );
}
