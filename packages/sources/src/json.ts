/** Reading untyped third-party JSON leniently: a wrong type is treated as absent, never thrown. */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The objects of an array (anything else: none). */
export const objects = (value: unknown): Json[] =>
  Array.isArray(value) ? value.filter(isObject) : [];

/** A non-blank string, or undefined. */
export const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;
