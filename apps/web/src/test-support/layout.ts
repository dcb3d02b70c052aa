/**
 * happy-dom lays nothing out: every element measures 0 × 0, so the virtualised DataTable would
 * render no rows. Call `withLaidOutElements()` in a describe block: during its tests, elements
 * measure like a laptop's table (TanStack Virtual reads the scroller's clientWidth/clientHeight
 * and each row's offsetHeight). The browser journey checks the real layout.
 */
import { afterEach, beforeEach } from 'vitest';

export interface Layout {
  readonly clientWidth: number;
  readonly clientHeight: number;
  readonly offsetWidth: number;
  readonly offsetHeight: number;
}

const laptop: Layout = {
  clientWidth: 1200,
  clientHeight: 800,
  offsetWidth: 1200,
  offsetHeight: 800,
};

export function withLaidOutElements(overrides: Partial<Layout> = {}): void {
  const layout = { ...laptop, ...overrides };
  const keys = Object.keys(layout) as (keyof Layout)[];
  const saved = keys.map(
    (key) => [key, Object.getOwnPropertyDescriptor(HTMLElement.prototype, key)] as const,
  );
  beforeEach(() => {
    for (const key of keys)
      Object.defineProperty(HTMLElement.prototype, key, {
        configurable: true,
        get: () => layout[key],
      });
  });
  afterEach(() => {
    for (const [key, descriptor] of saved)
      if (descriptor === undefined) Reflect.deleteProperty(HTMLElement.prototype, key);
      else Object.defineProperty(HTMLElement.prototype, key, descriptor);
  });
}
