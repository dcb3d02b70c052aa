/** What a command may touch: its streams, its working directory, its environment. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** Read all of standard input (used by `--batch`). */
  readStdin(): Promise<string>;
  readonly cwd: string;
  /** Milliseconds since an arbitrary origin; injected so progress can be tested. */
  now(): number;
  /** Today's date, YYYY-MM-DD (UTC): the default detection date of a scan. */
  today(): string;
  /** The environment (PATCHGATE_SERVER, PATCHGATE_TOKEN, PATCHGATE_CONFIG_DIR, HOME…). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Ask for a secret on the terminal without echoing it; present only when standard input is
   * a terminal (commands fall back to --password-stdin otherwise).
   */
  promptSecret?(prompt: string): Promise<string>;
}

/** Exit codes, documented in README.md ("Exit codes"). */
export const exitCodes = {
  ok: 0,
  findings: 1,
  usage: 2,
  /** An unexpected failure: a bug. Printed with its stack. */
  internal: 3,
  /** The server refused: the user or token lacks the permission (HTTP 403). */
  forbidden: 4,
} as const;
export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** A problem with what the user asked for: printed as `patchgate: <message>`, exit 2. */
export class UsageError extends Error {
  readonly code = 'usage';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}
