/**
 * A 422's field problems, to show each beside the field it names. The server names fields by
 * their path in the request (`body.rules[2].stages[0].groups`, `query.name`).
 */
import { problemOf } from '../api/client.ts';

/** The messages by field, the field's name as `keyOf` turns it (the server's path by default). */
export function fieldErrorsOf(
  error: unknown,
  keyOf: (field: string) => string = (field) => field,
): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const e of problemOf(error)?.errors ?? []) {
    const key = keyOf(e.field ?? '');
    map.set(key, [...(map.get(key) ?? []), e.message]);
  }
  return map;
}

/** The messages of the fields at `path` or under it, joined; undefined when there are none. */
export function errorsAt(error: unknown, path: string): string | undefined {
  const messages = [...fieldErrorsOf(error)]
    .filter(
      ([field]) => field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`),
    )
    .flatMap(([, fieldMessages]) => fieldMessages);
  return messages.length === 0 ? undefined : messages.join('; ');
}
