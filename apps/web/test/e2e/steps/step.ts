/** One step of the browser journey (journey.test.ts runs them in file order). */
import type { Journey } from '../harness.ts';

export interface JourneyStep {
  /** What a person does, as the test's name ("an analyst filters findings by priority"). */
  readonly name: string;
  run(journey: Journey): Promise<void>;
  /** Default 120 s. */
  readonly timeoutMs?: number;
}
