import type { ParseResult, VersionScheme } from '../../scheme.ts';

/**
 * Maven's `ComparableVersion` as shipped in maven-artifact 3.8.7 (the Maven in Debian 12),
 * re-derived from its bytecode and checked pair by pair against the real class
 * (testdata/maven/generated-maven-artifact.txt).
 *
 * A version is a list of items; `-` and every digit↔letter transition open a nested list,
 * `.` does not. Items are integers (Java int / long / BigInteger, ordered by that class first),
 * qualifiers, or nested lists.
 */
export type MavenItem = number | MavenBigNumber | MavenQualifier | MavenItem[];

/** A numeric item too long for a Java int: `long` (10–18 digits) or `big` (more). */
export interface MavenBigNumber {
  readonly kind: 'long' | 'big';
  /** Decimal digits without leading zeros; `0` when the item is all zeros. */
  readonly digits: string;
}

/** A qualifier after aliasing (`cr` → `rc`, `ga`/`final`/`release` → ``, `a1` → `alpha`). */
export interface MavenQualifier {
  readonly kind: 'qualifier';
  readonly value: string;
  /** Index in alpha, beta, milestone, rc, snapshot, "", sp; 7 for any unknown qualifier. */
  readonly rank: number;
}

export interface MavenVersion {
  readonly items: MavenItem[];
}

const qualifierRanks: Readonly<Record<string, number>> = {
  alpha: 0,
  beta: 1,
  milestone: 2,
  rc: 3,
  snapshot: 4,
  '': 5,
  sp: 6,
};
const aliases: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const releaseRank = 5;
const unknownRank = 7;

function qualifier(token: string, followedByDigit: boolean): MavenQualifier {
  let value = token;
  // `a1` = alpha-1, `b1` = beta-1, `m1` = milestone-1, only when a digit follows directly.
  if (followedByDigit && value.length === 1) {
    if (value === 'a') value = 'alpha';
    else if (value === 'b') value = 'beta';
    else if (value === 'm') value = 'milestone';
  }
  value = Object.hasOwn(aliases, value) ? (aliases[value] as string) : value;
  const rank = Object.hasOwn(qualifierRanks, value)
    ? (qualifierRanks[value] as number)
    : unknownRank;
  return { kind: 'qualifier', value, rank };
}

function numberItem(token: string): MavenItem {
  // Java strips leading zeros but keeps an all-zero token as it is, so "0000000000" is a
  // `long` zero: the item class comes from that length, and classes order before values.
  let start = 0;
  while (start < token.length && token.charCodeAt(start) === 48) start++;
  const stripped = start === token.length ? token : token.slice(start);
  if (stripped.length <= 9) return Number(stripped);
  return {
    kind: stripped.length <= 18 ? 'long' : 'big',
    digits: start === token.length ? '0' : stripped,
  };
}

function isNull(item: MavenItem): boolean {
  if (typeof item === 'number') return item === 0;
  if (Array.isArray(item)) return item.length === 0;
  if (item.kind === 'qualifier') return item.rank === releaseRank;
  return item.digits === '0';
}

/** Remove trailing "null" items (0, release qualifier, empty list), looking through lists. */
function normalize(list: MavenItem[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as MavenItem;
    if (isNull(item)) list.splice(i, 1);
    else if (!Array.isArray(item)) break;
  }
}

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;

function validate(version: string): string | undefined {
  if (version === '') return 'version is empty';
  let alphanumeric = false;
  for (let i = 0; i < version.length; i++) {
    const c = version.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f)
      return `character ${JSON.stringify(version[i])} at ${i} is not printable ASCII`;
    // Range and property syntax ([1.0,2.0), ${project.version}) is not a version.
    if ('[](),${}'.includes(version[i] as string)) {
      return `character "${version[i]}" at ${i} belongs to a range or property, not a version`;
    }
    if (isDigitCode(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) alphanumeric = true;
  }
  return alphanumeric ? undefined : 'version has no letter or digit';
}

export function parseMaven(version: string): ParseResult<MavenVersion> {
  const error = validate(version);
  if (error !== undefined) return { ok: false, error };
  const text = version.toLowerCase();
  const root: MavenItem[] = [];
  const stack: MavenItem[][] = [root];
  let list = root;
  const open = (): void => {
    const child: MavenItem[] = [];
    list.push(child);
    stack.push(child);
    list = child;
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */ || c === 45 /* - */) {
      if (i === start) list.push(0);
      else {
        const token = text.slice(start, i);
        list.push(isDigit ? numberItem(token) : qualifier(token, false));
      }
      start = i + 1;
      if (c === 45) open();
    } else if (isDigitCode(c)) {
      if (!isDigit && i > start) {
        // A qualifier always starts a list of its own: 1.0alpha1 → [1, [alpha, [1]]].
        if (list.length > 0) open();
        list.push(qualifier(text.slice(start, i), true));
        start = i;
        open();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(numberItem(text.slice(start, i)));
        start = i;
        open();
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    if (!isDigit && list.length > 0) open();
    const token = text.slice(start);
    list.push(isDigit ? numberItem(token) : qualifier(token, false));
  }
  // Innermost first, as Maven pops its stack, so emptied lists are trimmed from their parents.
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i] as MavenItem[]);
  return { ok: true, value: { items: root } };
}

function numberClass(item: number | MavenBigNumber): number {
  return typeof item === 'number' ? 0 : item.kind === 'long' ? 1 : 2;
}

function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Order an item against the absence of one (Maven's `compareTo(null)`). */
function compareToNothing(item: MavenItem): number {
  if (typeof item === 'number') return item === 0 ? 0 : 1;
  if (Array.isArray(item)) {
    // MNG-6964: the whole list counts, not only its first item.
    for (const child of item) {
      const order = compareToNothing(child);
      if (order !== 0) return order;
    }
    return 0;
  }
  if (item.kind === 'qualifier') return item.rank - releaseRank;
  return item.digits === '0' ? 0 : 1;
}

// Item kinds for the cross-kind table: number, qualifier, list.
const NUMBER = 0;
const QUALIFIER = 1;
const LIST = 2;
function kindOf(item: MavenItem): number {
  if (typeof item === 'number') return NUMBER;
  if (Array.isArray(item)) return LIST;
  return item.kind === 'qualifier' ? QUALIFIER : NUMBER;
}

function kindWeight(kind: number): number {
  return kind === NUMBER ? 2 : kind === LIST ? 1 : 0;
}

function compareItems(a: MavenItem, b: MavenItem): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) {
    // number > list > qualifier: 1.1 > 1-1 > 1-sp (Maven's per-class switch statements).
    return kindWeight(ka) - kindWeight(kb);
  }
  if (ka === NUMBER) {
    const na = a as number | MavenBigNumber;
    const nb = b as number | MavenBigNumber;
    const ca = numberClass(na);
    const cb = numberClass(nb);
    if (ca !== cb) return ca - cb;
    if (typeof na === 'number') return na - (nb as number);
    return compareDigits(na.digits, (nb as MavenBigNumber).digits);
  }
  if (ka === QUALIFIER) {
    const qa = a as MavenQualifier;
    const qb = b as MavenQualifier;
    if (qa.rank !== qb.rank) return qa.rank - qb.rank;
    if (qa.rank !== unknownRank) return 0;
    return qa.value < qb.value ? -1 : qa.value > qb.value ? 1 : 0;
  }
  return compareLists(a as MavenItem[], b as MavenItem[]);
}

function compareLists(a: readonly MavenItem[], b: readonly MavenItem[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i];
    const y = b[i];
    const order =
      x === undefined
        ? y === undefined
          ? 0
          : -compareToNothing(y)
        : y === undefined
          ? compareToNothing(x)
          : compareItems(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

export const maven: VersionScheme<MavenVersion> = {
  id: 'maven',
  displayName: 'Maven (ComparableVersion)',
  specUrls: [
    'https://maven.apache.org/pom.html#version-order-specification',
    'https://github.com/apache/maven/blob/maven-3.8.7/maven-artifact/src/main/java/org/apache/maven/artifact/versioning/ComparableVersion.java',
  ],
  ecosystems: ['Maven'],
  parse: parseMaven,
  compareParsed: (a, b) => compareLists(a.items, b.items),
};
