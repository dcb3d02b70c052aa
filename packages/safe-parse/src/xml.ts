import { DEFAULT_MAX_DEPTH } from './limits.ts';

/**
 * Whether XML text nests elements deeper than `maxDepth`, by one pass over the tags
 * (comments, CDATA, processing instructions and declarations skipped; self-closing tags do
 * not nest). Run before a parser whose tree walk recurses.
 */
export function xmlDepthExceeds(text: string, maxDepth: number = DEFAULT_MAX_DEPTH): boolean {
  if (text.length <= maxDepth * 3) return false;
  let depth = 0;
  let i = text.indexOf('<');
  while (i !== -1 && i < text.length) {
    const next = text.charCodeAt(i + 1);
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end === -1) return false;
      i = text.indexOf('<', end + 3);
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end === -1) return false;
      i = text.indexOf('<', end + 3);
      continue;
    }
    const close = tagEnd(text, i + 1);
    if (close === -1) return false;
    if (next === 0x2f /* / */) depth--;
    else if (
      next !== 0x3f /* ? */ &&
      next !== 0x21 /* ! */ &&
      text.charCodeAt(close - 1) !== 0x2f
    ) {
      if (++depth > maxDepth) return true;
    }
    i = text.indexOf('<', close + 1);
  }
  return false;
}

/** The `>` closing a tag that starts before `from`, skipping quoted attribute values. */
function tagEnd(text: string, from: number): number {
  let quote = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 0x22 || c === 0x27) quote = c;
    else if (c === 0x3e) return i;
  }
  return -1;
}
