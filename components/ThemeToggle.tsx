'use client';

import { useEffect, useId, useState } from 'react';
import { THEME_KEY, applyTheme, readChoice, type ThemeChoice } from './theme';

/** The header's theme switch: system (follows the OS, live), light or dark; saved on this device. */
export default function ThemeToggle() {
  const id = useId();
  const [choice, setChoice] = useState<ThemeChoice | null>(null); // null until the saved choice is read
  useEffect(() => {
    let saved: string | null = null;
    try {
      saved = localStorage.getItem(THEME_KEY);
    } catch {
      /* no storage */
    }
    setChoice(readChoice(saved));
  }, []);
  useEffect(() => {
    if (choice !== 'system') return;
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const follow = () => applyTheme('system');
    mq.addEventListener('change', follow);
    // The OS may have switched between the inline pre-paint script and this effect (a slow hydration): catch up.
    follow();
    return () => mq.removeEventListener('change', follow);
  }, [choice]);
  return (
    <span className="flex items-center gap-1 text-sm">
      <label htmlFor={id} className="text-stone-600">
        Theme
      </label>
      <select
        id={id}
        value={choice ?? 'system'}
        onChange={(e) => {
          const next = readChoice(e.target.value);
          setChoice(next);
          applyTheme(next);
        }}
        className="rounded border border-stone-300 bg-white px-1 py-0.5 text-sm text-stone-800 focus:border-sky-600 focus:outline-none"
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </span>
  );
}
