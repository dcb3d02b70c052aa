/**
 * The keyset cursor codec, the one copy every list uses: a cursor is opaque to clients,
 * base64url JSON of the list's sort and the last row's keyset. A cursor that does not decode
 * to the expected shape is a 422 naming `querystring.cursor`, never a 500.
 */
import { ValidationError } from './problems.ts';

export type CursorPart = string | number;

export function encodeCursor(parts: readonly CursorPart[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function cursorError(message: string): ValidationError {
  return new ValidationError(`querystring.cursor: ${message}`, [
    { field: 'querystring.cursor', message },
  ]);
}

/**
 * Decode a cursor made by `encodeCursor`, checking each part's type (`kinds`); `invalid` is
 * the message for anything else.
 */
export function decodeCursor(
  cursor: string,
  kinds: readonly ('string' | 'number')[],
  invalid = 'is not a cursor this API returned',
): CursorPart[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw cursorError(invalid);
  }
  if (
    !Array.isArray(value) ||
    value.length !== kinds.length ||
    !value.every((part, i) => typeof part === kinds[i])
  )
    throw cursorError(invalid);
  return value as CursorPart[];
}
