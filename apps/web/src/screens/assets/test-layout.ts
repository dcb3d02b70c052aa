/**
 * happy-dom lays nothing out (every element is 0×0), so the virtualised table would render no
 * row: in a test, elements measure 1000×800 (the virtualiser reads clientWidth/clientHeight of
 * the scroller and offsetHeight of rows; the browser journey checks the real layout).
 */
import { afterEach, beforeEach } from 'vitest';

const keys = ['offsetWidth', 'offsetHeight', 'clientWidth', 'clientHeight'] as const;

export function withLayout(width = 1000, height = 800): void {
  const saved = keys.map(
    (key) =>
      [
        key,
        Object.getOwnPropertyDescriptor(HTMLElement.prototype, key) ??
          Object.getOwnPropertyDescriptor(Element.prototype, key),
      ] as const,
  );
  beforeEach(() => {
    for (const key of keys)
      Object.defineProperty(HTMLElement.prototype, key, {
        configurable: true,
        get: () => (key.endsWith('Width') ? width : height),
      });
  });
  afterEach(() => {
    for (const [key, descriptor] of saved)
      if (descriptor === undefined) Reflect.deleteProperty(HTMLElement.prototype, key);
      else Object.defineProperty(HTMLElement.prototype, key, descriptor);
  });
}
