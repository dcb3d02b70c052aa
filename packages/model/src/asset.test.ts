import { describe, expect, it } from 'vitest';
import {
  criticalities,
  environments,
  exposures,
  isCriticality,
  isEnvironment,
  isExposure,
} from './asset.ts';

describe('asset vocabulary', () => {
  it('lists each closed vocabulary once, in rank order', () => {
    expect({ environments, criticalities, exposures }).toEqual({
      environments: ['production', 'staging', 'test', 'development'],
      criticalities: ['critical', 'high', 'medium', 'low'],
      exposures: ['internet', 'internal', 'unknown'],
    });
  });

  it.each([
    [isEnvironment, 'production', 'prod'],
    [isCriticality, 'high', 'High'],
    [isExposure, 'unknown', undefined],
  ] as const)('%o accepts only its words', (guard, yes, no) => {
    expect(guard(yes)).toBe(true);
    expect(guard(no)).toBe(false);
  });
});
