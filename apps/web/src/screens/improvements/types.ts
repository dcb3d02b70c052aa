/** The improvement loop's shapes, from the generated OpenAPI schema (h11/improvements). */
import type { operations } from '../../api/client.ts';

type Json<O extends keyof operations> = operations[O]['responses'] extends {
  200: { content: { 'application/json': infer T } };
}
  ? T
  : never;

export type Recommendation = Json<'listRecommendations'>['recommendations'][number];
export type RecommendationAction = Recommendation['action'];
export type RecommendationState = Recommendation['state'];
export type ImprovementAction = Json<'listImprovementActions'>['actions'][number];
export type ActionState = ImprovementAction['state'];
export type ReviewTrends = Json<'getReviewTrends'>;

export const recommendationStates: readonly RecommendationState[] = [
  'open',
  'accepted',
  'dismissed',
  'resolved',
];
export const actionStates: readonly ActionState[] = ['open', 'done', 'cancelled'];
