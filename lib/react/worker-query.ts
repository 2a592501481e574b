'use client';

import { useEffect, useRef, useState } from 'react';
// errors.ts only: the domain's index pulls zod (schemas), which the page never needs.
import { CairnError, toWire } from '../domain/errors';
import type { QueryResult } from './contract';
import type { DataClient } from './data-client';
import { useDataClient } from './DataProvider';

/**
 * The one query hook every lib/react hook is built on: queries the data worker, subscribes to the topics its data
 * depends on, and re-queries when the worker signals a change (at most one query in flight; a signal during a query
 * triggers exactly one more). Results are tagged with the query key so a hook whose arguments changed never shows
 * the previous arguments' data.
 */

interface Tagged<T> {
  key: string;
  result: QueryResult<T>;
}

const LOADING = { data: undefined, loading: true } as const;

export function useWorkerQuery<T>(key: string, topics: readonly string[], fetcher: (c: DataClient) => Promise<T>): QueryResult<T> {
  const client = useDataClient();
  const [state, setState] = useState<Tagged<T> | null>(null);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const topicsKey = topics.join('\n');

  useEffect(() => {
    if (!client) return;
    let alive = true;
    let inFlight = false;
    let again = false;
    const run = async () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      do {
        again = false;
        try {
          const data = await fetcherRef.current(client);
          if (alive) setState({ key, result: { data, loading: false } });
        } catch (e) {
          if (alive) setState((prev) => ({ key, result: { data: prev?.key === key ? prev.result.data : undefined, error: toWire(e), loading: false } }));
        }
      } while (again && alive);
      inFlight = false;
    };
    // Subscribe before the first query so a change between the two is not missed.
    const offs = topicsKey.split('\n').filter(Boolean).map((t) => client.watch(t, () => void run()));
    void run();
    return () => {
      alive = false;
      for (const off of offs) off();
    };
  }, [client, key, topicsKey]);

  if (!state || state.key !== key) return LOADING;
  return state.result;
}

/**
 * The one way a lib/react hook hands out write commands: `build` gets `c()`, the data client of the moment, which
 * throws INVALID_STATE when the worker is not up yet (a command then fails at once instead of hanging). The object is
 * made once per mount, so components may list it in effect dependencies.
 */
export function useCommandSet<T>(build: (c: () => DataClient) => T): T {
  const client = useDataClient();
  const ref = useRef(client);
  ref.current = client;
  const buildRef = useRef(build);
  const [commands] = useState(() =>
    buildRef.current(() => {
      if (!ref.current) throw new CairnError('INVALID_STATE', 'The data worker is not running yet; try again in a moment.');
      return ref.current;
    }),
  );
  return commands;
}
