import { describe, expect, it } from 'vitest';
import type { Problem } from '../api/client.ts';
import { ApiError } from '../api/client.ts';
import { errorsAt, fieldErrorsOf } from './field-errors.ts';

const problem = {
  type: '/problems/validation_failed',
  title: 'Validation failed',
  status: 422,
  code: 'validation_failed',
  detail: 'The request is not valid',
  errors: [
    { field: 'body.rules[2].stages[0].groups', message: 'names no group' },
    { field: 'body.rules[2].id', message: 'is taken' },
    { field: 'body.rules[2].id', message: 'is too long' },
    { field: 'body.name', message: 'is required' },
  ],
} as Problem;

describe("a 422's field problems", () => {
  it('are grouped by field, from a problem body or an ApiError alike', () => {
    for (const error of [problem, new ApiError(problem)])
      expect(fieldErrorsOf(error).get('body.rules[2].id')).toEqual(['is taken', 'is too long']);
  });

  it('are keyed as the form names its fields', () => {
    const byForm = fieldErrorsOf(problem, (field) => field.replace(/^body\./, ''));
    expect([...byForm.keys()]).toEqual(['rules[2].stages[0].groups', 'rules[2].id', 'name']);
  });

  it('at a path are those of the field and everything under it, not of its prefix namesakes', () => {
    expect(errorsAt(problem, 'body.rules[2]')).toBe('names no group; is taken; is too long');
    expect(errorsAt(problem, 'body.name')).toBe('is required');
    expect(errorsAt(problem, 'body.nam')).toBeUndefined();
  });

  it('are none for a failure that is not a problem', () => {
    expect(fieldErrorsOf(new TypeError('Failed to fetch')).size).toBe(0);
    expect(errorsAt(null, 'body.name')).toBeUndefined();
  });
});
