/**
 * Ordering corpora: plain-text files of `a < b`, `a = b` or `a > b` lines (`#` starts a
 * comment). Shared by the contract test and by `scripts/generate-corpora`.
 */
export interface CorpusCase {
  readonly a: string;
  readonly b: string;
  readonly expected: -1 | 0 | 1;
  readonly line: number;
}

const relation = /^(\S+)\s+([<=>])\s+(\S+)$/;

export function parseCorpus(text: string): CorpusCase[] {
  const cases: CorpusCase[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = relation.exec(line);
    if (!match) throw new Error(`corpus line ${index + 1} is not "a <|=|> b": ${line}`);
    const [, a, op, b] = match as unknown as [string, string, string, string];
    cases.push({ a, b, expected: op === '<' ? -1 : op === '=' ? 0 : 1, line: index + 1 });
  });
  return cases;
}
