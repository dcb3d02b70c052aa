/** Options every renderer accepts; most ignore most of them. */
export interface RenderOptions {
  /** Table view: print each finding's explanation under it. */
  readonly explain: boolean;
}
