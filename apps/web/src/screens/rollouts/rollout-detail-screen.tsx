/** Rollout — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function RolloutDetailScreen() {
  return (
    <>
      <PageHeader title="Rollout" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
