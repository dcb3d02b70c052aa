/** Rollouts — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function RolloutListScreen() {
  return (
    <>
      <PageHeader title="Rollouts" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
