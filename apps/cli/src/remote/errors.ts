/** The error a refused API call becomes; kept apart from the client so `cli.ts` stays light. */
import { UsageError } from '../io.ts';

/** An API answer that is not a success: the status and the server's words. 403 exits 4. */
export class RemoteError extends UsageError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}
