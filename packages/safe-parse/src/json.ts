import type { ParseLimits, ParseOutcome } from './limits.ts';
import { DEFAULT_MAX_DEPTH, depthError } from './limits.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether JSON text nests arrays/objects deeper than `maxDepth`, by one pass over the text
 * (brackets inside strings do not count). Text shorter than the limit cannot exceed it.
 */
export function jsonDepthExceeds(text: string, maxDepth: number = DEFAULT_MAX_DEPTH): boolean {
  if (text.length <= maxDepth) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Jump over the string with the native indexOf (most of an advisory's bytes are
      // text): the closing quote is the first one preceded by an even run of backslashes.
      for (;;) {
        const close = text.indexOf('"', i + 1);
        if (close === -1) return false; // unterminated: JSON.parse reports it
        let backslashes = 0;
        while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
        i = close;
        if (backslashes % 2 === 0) break;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
}

/** `at position 12` (Node 20) or `(line 1 column 13)` (Node 22) from V8's message. */
function position(message: string): string {
  const at = /at position (\d+)/.exec(message);
  if (at !== null) return ` at position ${at[1]}`;
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn !== null) return ` at line ${lineColumn[1]}, column ${lineColumn[2]}`;
  return '';
}

/**
 * `JSON.parse` with a nesting limit, returning a result. The error says what is wrong and
 * where, never quoting the text: V8 quotes the start of invalid input in its messages.
 */
export function parseJson(text: string, limits: ParseLimits = {}): ParseOutcome {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (jsonDepthExceeds(text, maxDepth)) return { ok: false, error: depthError(maxDepth) };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const what = /end of JSON input|Unterminated/i.test(message)
      ? 'unexpected end of input'
      : 'unexpected character';
    return { ok: false, error: `not valid JSON: ${what}${position(message)}` };
  }
}
