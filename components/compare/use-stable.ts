import { useRef } from 'react';

/**
 * The same object as last render while its JSON is unchanged: a card's axes are read afresh from the board on every
 * change of any card, and a chart must not be rebuilt (and redrawn) because someone moved another card.
 */
export function useStable<T>(value: T): T {
  const ref = useRef<{ json: string; value: T } | null>(null);
  const json = JSON.stringify(value);
  if (!ref.current || ref.current.json !== json) ref.current = { json, value };
  return ref.current.value;
}
