/**
 * The live stream's read rule covers every subject type the server audits: a new type must be
 * given the permission that reads it (until then only `audit:read` sees its events).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { permissionsOf } from '../auth/permissions.ts';
import { activityScope, subjectReadPermission } from './live.ts';

const src = join(import.meta.dirname, '..', '..');

function auditedSubjectTypes(): Set<string> {
  const types = new Set<string>();
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('test-support'),
  );
  for (const file of files) {
    const text = readFileSync(join(src, file), 'utf8');
    for (const m of text.matchAll(/subjectType: '([^']+)'/g)) types.add(m[1]!);
  }
  return types;
}

describe('live stream scope', () => {
  it('names a read permission for every audited subject type', () => {
    const audited = auditedSubjectTypes();
    expect(audited.size).toBeGreaterThan(20);
    expect([...audited].filter((t) => subjectReadPermission[t] === undefined)).toEqual([]);
  });

  it('gives audit:read everything and a role only what it reads', () => {
    expect(activityScope(permissionsOf(['auditor']), 'u')).toEqual({ all: true });
    const viewer = activityScope(permissionsOf(['viewer']), 'u');
    expect(viewer.all).toBe(false);
    if (viewer.all) return;
    expect(viewer.types).toContain('finding');
    expect(viewer.types).toContain('change');
    expect(viewer.types).not.toContain('user');
    expect(viewer.types).not.toContain('notification-channel');
    const noFindings = activityScope(new Set(['assets:read'] as const), 'u');
    expect(noFindings.all === false && noFindings.types).toEqual(['asset']);
  });
});
