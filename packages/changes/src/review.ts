/**
 * The post-implementation review form (ITIL's PIR), filled by people now and from the rollout's
 * facts by the next issue's engine. An emergency change, and any change that failed or was rolled
 * back, cannot close without one (`reviewPresent` of TransitionFacts; readme.md).
 */
import { z } from 'zod';

const text = z.string().trim().min(1).max(4000);
const label = z.string().trim().min(1).max(200);

export const FollowUpAction = z
  .strictObject({
    description: text.describe('what must be done'),
    owner: label.describe('who does it (user id or name)'),
    dueOn: z.iso.date().describe('by when (YYYY-MM-DD)'),
    done: z.boolean().default(false).describe('whether it is done'),
  })
  .describe('a follow-up action from the review');
export type FollowUpAction = z.infer<typeof FollowUpAction>;

export const PostImplementationReview = z
  .strictObject({
    outcome: z
      .enum(['successful', 'partially-successful', 'failed', 'rolled-back'])
      .describe('how the change went, as the reviewers judge it'),
    wentWell: z.array(text).max(50).default([]).describe('what went well'),
    wentBadly: z.array(text).max(50).default([]).describe('what did not'),
    incidents: z
      .array(
        z.strictObject({
          reference: label.describe('incident id or link'),
          summary: text.describe('what happened'),
        }),
      )
      .max(50)
      .default([])
      .describe('incidents the change caused or touched'),
    lessons: z.array(text).max(50).default([]).describe('lessons learned'),
    followUps: z.array(FollowUpAction).max(50).default([]).describe('follow-up actions'),
    reviewedBy: z.array(label).min(1).max(20).describe('who took part in the review'),
  })
  .describe('the post-implementation review of a change');
export type PostImplementationReview = z.infer<typeof PostImplementationReview>;
