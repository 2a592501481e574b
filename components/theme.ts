/**
 * Dark mode (components/run/SPEC.md RUNPAGE-8): the person's choice (system / light / dark) is saved in localStorage;
 * `dark` on <html> switches app/globals.css's palette. THEME_SCRIPT runs inline in <head> before the body paints, so
 * a dark page never flashes light; ThemeToggle changes it later and follows the system while the choice is "system".
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

export const THEME_KEY = 'cairn-theme';

/** Whether a choice means dark right now (`systemDark`: the `prefers-color-scheme: dark` media query). */
export function isDark(choice: ThemeChoice, systemDark: boolean): boolean {
  return choice === 'dark' || (choice === 'system' && systemDark);
}

export function readChoice(raw: string | null): ThemeChoice {
  return raw === 'light' || raw === 'dark' ? raw : 'system';
}

/** The same decision as isDark/readChoice, inlined (it runs before any module loads). */
export const THEME_SCRIPT = `try{var t=localStorage.getItem('${THEME_KEY}');var d=t==='dark'||(t!=='light'&&window.matchMedia('(prefers-color-scheme: dark)').matches);document.documentElement.classList.toggle('dark',d);document.documentElement.dataset.theme=t==='dark'||t==='light'?t:'system'}catch(e){}`;

/** Applies a choice to the document and saves it. */
export function applyTheme(choice: ThemeChoice): void {
  const systemDark = window.matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.classList.toggle('dark', isDark(choice, systemDark));
  document.documentElement.dataset.theme = choice;
  try {
    if (choice === 'system') localStorage.removeItem(THEME_KEY);
    else localStorage.setItem(THEME_KEY, choice);
  } catch {
    /* storage refused (private mode): the choice lasts for this page */
  }
}
