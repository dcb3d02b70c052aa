/** Reads of the pre-flight summary and the review's facts (rollout-facts.ts writes them). */
import type { Executor } from './repository.ts';
import type { PreflightSummary, ReviewFacts } from './rollout-facts-schema.ts';

/** The change's pre-flight summary and review facts (for its detail). */
export async function rolloutFactsOf(
  db: Executor,
  changeId: string,
): Promise<{ preflight: PreflightSummary | null; reviewFacts: ReviewFacts | null }> {
  const [preflight, facts] = await Promise.all([
    db
      .selectFrom('change_preflight_summaries')
      .select('summary_json')
      .where('change_id', '=', changeId)
      .executeTakeFirst(),
    db
      .selectFrom('change_review_facts')
      .select('facts_json')
      .where('change_id', '=', changeId)
      .executeTakeFirst(),
  ]);
  return {
    preflight:
      preflight === undefined ? null : (JSON.parse(preflight.summary_json) as PreflightSummary),
    reviewFacts: facts === undefined ? null : (JSON.parse(facts.facts_json) as ReviewFacts),
  };
}
