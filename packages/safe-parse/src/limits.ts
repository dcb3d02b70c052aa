/**
 * Limits shared by every reader of untrusted structured text. A recursive reader (a YAML
 * composer, a walker over CycloneDX components or npm v1 `dependencies`) given input nested
 * 50,000 deep overflows the stack or, worse, exhausts memory; a nesting limit checked before
 * the parser runs turns that into an ordinary error naming the limit.
 */

/** Deeper than any real SBOM, lockfile, advisory or VEX document (the deepest seen: ~40). */
export const DEFAULT_MAX_DEPTH = 256;

export interface ParseLimits {
  /** Maximum nesting of arrays/objects (JSON, YAML) or elements (XML); default 256. */
  readonly maxDepth?: number;
}

/**
 * The outcome of reading a document. `error` never quotes the input: parser messages that
 * do (V8's `Unexpected token 'S', "SECRET=…" is not valid JSON`, YAML's code frames) are
 * reduced to a position. A file read on the server must not come back through an error.
 */
export type ParseOutcome<T = unknown> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export const depthError = (maxDepth: number): string =>
  `nested deeper than the limit of ${maxDepth} levels`;
