import { describe, expect, it } from 'vitest';
import { activeEntry, navigation } from './layout.tsx';

const entries = navigation.flatMap((group) => group.entries);

describe('the navigation entry a path belongs to', () => {
  it('is the longest entry that is the path or a parent of it', () => {
    expect(activeEntry(entries, '/changes')).toBe('/changes');
    expect(activeEntry(entries, '/changes/0b5e3a1c-52c4-4a77-8d52-3a1b5d6d8f10')).toBe('/changes');
    expect(activeEntry(entries, '/changes/templates')).toBe('/changes/templates');
    expect(activeEntry(entries, '/admin/agents/x')).toBe('/admin');
  });

  it('is the dashboard only on / itself, and nothing on a path no entry covers', () => {
    expect(activeEntry(entries, '/')).toBe('/');
    expect(activeEntry(entries, '/changesx')).toBeUndefined();
    expect(activeEntry(entries, '/nowhere')).toBeUndefined();
  });
});
