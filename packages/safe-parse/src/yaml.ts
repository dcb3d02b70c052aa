import { parse } from 'yaml';
import type { ParseLimits, ParseOutcome } from './limits.ts';
import { DEFAULT_MAX_DEPTH, depthError } from './limits.ts';

/**
 * Whether YAML text may nest deeper than `maxDepth`: an upper bound computed line by line
 * before the parser runs. The `yaml` package composes recursively, and `- - - … x` repeated
 * 50,000 times exhausts the process's memory inside it (measured on yaml 2.9.1): it must
 * never see such input. The bound counts, per line, the open flow collections (`[`, `{`
 * outside quotes and comments), the indentation levels still open, and every block indicator
 * (`- `, `? `, `: `) on the line, each of which can open at most one level. Block scalars
 * (`|`, `>`) are skipped. Real documents stay far below the limit.
 */
export function yamlDepthExceeds(text: string, maxDepth: number = DEFAULT_MAX_DEPTH): boolean {
  if (text.length <= maxDepth) return false;
  const indents: number[] = [];
  let flow = 0;
  let quote = 0;
  let blockScalarIndent = -1;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    let indent = 0;
    while (start + indent < end && text.charCodeAt(start + indent) === 0x20) indent++;
    const blank = start + indent >= end || text.charCodeAt(start + indent) === 0x0d;
    if (blockScalarIndent >= 0) {
      if (blank || indent > blockScalarIndent) {
        start = end + 1;
        continue;
      }
      blockScalarIndent = -1;
    }
    if (!blank && quote === 0 && flow === 0) {
      while (indents.length > 0 && (indents.at(-1) ?? 0) >= indent) indents.pop();
      indents.push(indent);
    }
    let indicators = 0;
    let peakFlow = flow;
    let last = 0x20;
    let lastSignificant = 0;
    for (let i = start + indent; i < end; i++) {
      const c = text.charCodeAt(i);
      if (quote !== 0) {
        if (c === 0x5c && quote === 0x22) i++;
        else if (c === quote) quote = 0;
        last = c;
        continue;
      }
      const separated = last === 0x20 || last === 0x09;
      if (c === 0x23 /* # */ && separated) break;
      if ((c === 0x22 || c === 0x27) && (separated || isFlowChar(last) || last === 0x3a)) {
        quote = c;
      } else if (c === 0x5b || c === 0x7b) {
        if (++flow > peakFlow) peakFlow = flow;
      } else if (c === 0x5d || c === 0x7d) {
        if (flow > 0) flow--;
      } else if (c === 0x2d || c === 0x3f || c === 0x3a) {
        const after = i + 1 >= end ? 0x20 : text.charCodeAt(i + 1);
        if (after === 0x20 || after === 0x09 || after === 0x0d) indicators++;
      }
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d) lastSignificant = c;
      last = c;
    }
    if (peakFlow + indents.length + indicators > maxDepth) return true;
    if (quote === 0 && flow === 0 && (lastSignificant === 0x7c || lastSignificant === 0x3e)) {
      blockScalarIndent = indent;
    }
    start = end + 1;
  }
  return false;
}

const isFlowChar = (c: number) => c === 0x5b || c === 0x7b || c === 0x2c;

interface YamlErrorLike {
  code?: unknown;
  linePos?: readonly { line: number; col: number }[];
}

/**
 * A YAML parser error without its code frame (the `yaml` package prints the offending lines
 * under the message): the error code in words and the position.
 */
export function yamlErrorMessage(error: unknown): string {
  const e = (typeof error === 'object' && error !== null ? error : {}) as YamlErrorLike;
  const what =
    typeof e.code === 'string' ? e.code.toLowerCase().replaceAll('_', ' ') : 'unreadable';
  const at = e.linePos?.[0];
  return `not valid YAML: ${what}${at === undefined ? '' : ` at line ${at.line}, column ${at.col}`}`;
}

/** YAML 1.2 (core schema) with a nesting limit, returning a result whose error quotes nothing. */
export function parseYaml(text: string, limits: ParseLimits = {}): ParseOutcome {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (yamlDepthExceeds(text, maxDepth)) return { ok: false, error: depthError(maxDepth) };
  try {
    return { ok: true, value: parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: yamlErrorMessage(error) };
  }
}
