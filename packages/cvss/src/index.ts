// @patchgate/cvss: CVSS v2, v3.0, v3.1 and v4.0 vectors to scores, exactly as FIRST specifies them.
// Pure: no I/O, never throws; an invalid vector is an `{ ok: false, error }` result.
import { scoreV2 } from './v2/score.ts';
import { scoreV3 } from './v3/score.ts';
import { scoreV4 } from './v4/score.ts';
import type { CvssResult, CvssVersion } from './types.ts';

export type {
  CvssNomenclature,
  CvssResult,
  CvssScore,
  CvssSeverity,
  CvssVersion,
} from './types.ts';

const PREFIXED_VERSIONS: readonly string[] = ['3.0', '3.1', '4.0'];

// Metric names that only v3.x/v4.0 have: a prefix-less vector using them lost its prefix.
const NOT_V2 = /(?:^|\/)(?:PR|UI|S|AT|VC|VI|VA|SC|SI|SA):/;

/** Strips the parentheses NVD sometimes writes around v2 vectors: `(AV:N/AC:L/...)`. */
function v2Body(vector: string): { ok: true; body: string } | { ok: false; error: string } {
  if (!vector.startsWith('(')) return { ok: true, body: vector };
  if (!vector.endsWith(')')) {
    return { ok: false, error: `unbalanced parenthesis in CVSS v2 vector "${vector}"` };
  }
  return { ok: true, body: vector.slice(1, -1) };
}

function scoreBody(version: CvssVersion, body: string): CvssResult {
  if (version === '2.0') return scoreV2(body);
  if (version === '4.0') return scoreV4(body);
  return scoreV3(version, body);
}

/**
 * Scores a vector, detecting its version from the prefix: `CVSS:3.0/`, `CVSS:3.1/`, `CVSS:4.0/`;
 * no prefix means CVSS v2 (optionally in parentheses, as NVD sometimes writes it).
 */
export function scoreCvss(vector: string): CvssResult {
  const trimmed = vector.trim();
  if (trimmed === '') return { ok: false, error: 'empty CVSS vector' };
  if (trimmed.startsWith('CVSS:')) {
    const slash = trimmed.indexOf('/');
    const prefix = slash === -1 ? trimmed : trimmed.slice(0, slash);
    const version = prefix.slice('CVSS:'.length);
    if (!PREFIXED_VERSIONS.includes(version)) {
      const hint = version === '2.0' ? ' (CVSS v2 vectors are written without a prefix)' : '';
      return { ok: false, error: `unsupported CVSS version prefix "${prefix}"${hint}` };
    }
    if (slash === -1) return { ok: false, error: `CVSS vector "${trimmed}" has no metrics` };
    return scoreBody(version as CvssVersion, trimmed.slice(slash + 1));
  }
  const unwrapped = v2Body(trimmed);
  if (!unwrapped.ok) return unwrapped;
  if (NOT_V2.test(unwrapped.body)) {
    return {
      ok: false,
      error:
        'CVSS vector without prefix uses v3/v4 metrics: expected a "CVSS:3.x/" or "CVSS:4.0/" prefix',
    };
  }
  return scoreV2(unwrapped.body);
}

/**
 * Scores a vector known to be of `version`. For v3.0, v3.1 and v4.0 the `CVSS:x.y/` prefix may be
 * left out, but a prefix that names another version is an error; v2 takes no prefix.
 */
export function scoreCvssAs(version: CvssVersion, vector: string): CvssResult {
  const trimmed = vector.trim();
  if (trimmed === '') return { ok: false, error: 'empty CVSS vector' };
  if (version === '2.0') {
    if (trimmed.startsWith('CVSS:')) {
      return { ok: false, error: 'CVSS v2 vectors are written without a "CVSS:" prefix' };
    }
    const unwrapped = v2Body(trimmed);
    return unwrapped.ok ? scoreV2(unwrapped.body) : unwrapped;
  }
  if (!trimmed.startsWith('CVSS:')) return scoreBody(version, trimmed);
  const expected = `CVSS:${version}/`;
  if (!trimmed.startsWith(expected)) {
    const slash = trimmed.indexOf('/');
    const prefix = slash === -1 ? trimmed : trimmed.slice(0, slash);
    return { ok: false, error: `prefix "${prefix}" does not match CVSS version ${version}` };
  }
  return scoreBody(version, trimmed.slice(expected.length));
}
