/** Options every renderer accepts; most ignore most of them. */
export interface RenderOptions {
  /** Table view: print each finding's explanation under it. */
  readonly explain: boolean;
  /**
   * SARIF: the absolute directory inventory paths are relative to (the CLI's working
   * directory), declared as `%SRCROOT%` in `originalUriBaseIds`.
   */
  readonly sourceRoot?: string;
}
