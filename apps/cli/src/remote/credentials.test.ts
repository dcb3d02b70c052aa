import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../io.ts';
import { configDir } from './credentials.ts';

const io = (env: Record<string, string>) => ({ env }) as unknown as CliIo;

describe('where the CLI keeps its credentials', () => {
  it.each<[string, Record<string, string>, string]>([
    ['PATCHGATE_CONFIG_DIR first', { PATCHGATE_CONFIG_DIR: '/c', XDG_CONFIG_HOME: '/x' }, '/c'],
    ['then XDG_CONFIG_HOME', { XDG_CONFIG_HOME: '/x', HOME: '/h' }, join('/x', 'patchgate')],
    ['then HOME', { HOME: '/h' }, join('/h', '.config', 'patchgate')],
    [
      'set but empty counts as unset',
      { PATCHGATE_CONFIG_DIR: '', XDG_CONFIG_HOME: '', HOME: '/h' },
      join('/h', '.config', 'patchgate'),
    ],
  ])('%s', (_label, env, expected) => {
    expect(configDir(io(env))).toBe(expected);
  });
});
