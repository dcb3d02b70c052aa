/**
 * Filters, sorting, tabs and selections live in the URL's query string, so a URL is shareable
 * and the back button undoes a filter. Values are strings; lists are comma-separated.
 */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';

export interface UrlState<K extends string> {
  /** The current values (absent keys are undefined). */
  readonly values: Readonly<Partial<Record<K, string>>>;
  /** Set (or with undefined/'' remove) some keys; `replace` keeps the history entry. */
  set(changes: Partial<Record<K, string | undefined>>, options?: { replace?: boolean }): void;
}

export function useUrlState<K extends string>(keys: readonly K[]): UrlState<K> {
  const [params, setParams] = useSearchParams();
  const values = useMemo(() => {
    const out: Partial<Record<K, string>> = {};
    for (const key of keys) {
      const value = params.get(key);
      if (value !== null && value !== '') out[key] = value;
    }
    return out;
    // keys is a constant list per screen
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [params]);
  const set = useCallback(
    (changes: Partial<Record<K, string | undefined>>, options?: { replace?: boolean }) => {
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(changes) as [K, string | undefined][]) {
            if (value === undefined || value === '') next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        // Synchronously: a checkbox or select bound to the URL shows its new value at once
        // (deferred, React restores a controlled input's old value until the URL catches up).
        { replace: options?.replace ?? false, flushSync: true },
      );
    },
    [setParams],
  );
  return { values, set };
}

/** `a,b` → ['a', 'b']; undefined → []. */
export const splitList = (value: string | undefined): string[] =>
  value === undefined ? [] : value.split(',').filter((item) => item !== '');

/** ['a', 'b'] → 'a,b'; [] → undefined (removes the key). */
export const joinList = (items: readonly string[]): string | undefined =>
  items.length === 0 ? undefined : items.join(',');
