import { useEffect, useRef, useState, type RefObject } from 'react';

/**
 * The height in CSS pixels of the element `ref` is attached to, kept current with a ResizeObserver: a line chart
 * takes its height as a number, and a card or an embed frame decides it (a resize, a window change).
 */
export function useHeight<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T | null>(null);
  const [height, setHeight] = useState(0);
  useEffect(() => {
    const node = ref.current;
    if (!node) return;
    setHeight(node.clientHeight);
    const observer = new ResizeObserver(() => setHeight(node.clientHeight));
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return [ref, height];
}
