/**
 * happy-dom lays nothing out: every element is 0 × 0, so the virtualised DataTable would render
 * no rows. For these tests, elements measure 1200 × 800 (TanStack Virtual reads clientWidth /
 * clientHeight for the scroller and offsetHeight for rows), as a laptop's table would.
 */
import { afterAll, beforeAll } from 'vitest';

const sizes = { clientHeight: 800, clientWidth: 1200, offsetHeight: 40, offsetWidth: 1200 };

export function withLaidOutTables(): void {
  const saved = new Map<string, PropertyDescriptor | undefined>();
  beforeAll(() => {
    for (const [property, value] of Object.entries(sizes)) {
      saved.set(property, Object.getOwnPropertyDescriptor(HTMLElement.prototype, property));
      Object.defineProperty(HTMLElement.prototype, property, {
        configurable: true,
        get: () => value,
      });
    }
  });
  afterAll(() => {
    for (const [property, descriptor] of saved) {
      if (descriptor === undefined) Reflect.deleteProperty(HTMLElement.prototype, property);
      else Object.defineProperty(HTMLElement.prototype, property, descriptor);
    }
  });
}
