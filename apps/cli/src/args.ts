import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './io.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with its errors turned into usage errors naming the command. */
export function parseCommandArgs<T extends Options>(command: string, args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${command}: ${message.replace(/\. To specify a positional.*$/s, '')}`, {
      cause: error,
    });
  }
}

/** An option that must be one of a closed list. */
export function oneOf<const T extends readonly string[]>(
  option: string,
  value: string | undefined,
  allowed: T,
  fallback: T[number],
): T[number] {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value;
  throw new UsageError(`--${option} must be one of ${allowed.join(', ')} (got "${value}")`);
}
