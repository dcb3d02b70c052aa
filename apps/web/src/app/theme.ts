/**
 * Light and dark themes: the system's choice unless the user picks one (kept in localStorage:
 * a display preference, never a credential). The theme in effect is `data-theme` on <html>,
 * the only thing styles.css looks at; "system" follows the system's setting as it changes.
 */
import { useCallback, useEffect, useState } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
const storageKey = 'patchgate.theme';

export function storedChoice(): ThemeChoice {
  try {
    const value = window.localStorage.getItem(storageKey);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

const systemDark = () =>
  typeof window.matchMedia === 'function' &&
  window.matchMedia('(prefers-color-scheme: dark)').matches;

export function applyTheme(choice: ThemeChoice): void {
  const theme = choice === 'system' ? (systemDark() ? 'dark' : 'light') : choice;
  document.documentElement.setAttribute('data-theme', theme);
}

export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [choice, setChoice] = useState<ThemeChoice>(storedChoice);
  useEffect(() => {
    applyTheme(choice);
    if (choice !== 'system' || typeof window.matchMedia !== 'function') return;
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const follow = () => applyTheme('system');
    query.addEventListener('change', follow);
    return () => query.removeEventListener('change', follow);
  }, [choice]);
  const set = useCallback((next: ThemeChoice) => {
    try {
      if (next === 'system') window.localStorage.removeItem(storageKey);
      else window.localStorage.setItem(storageKey, next);
    } catch {
      // Storage may be disabled; the choice still holds for this page.
    }
    setChoice(next);
  }, []);
  return [choice, set];
}
