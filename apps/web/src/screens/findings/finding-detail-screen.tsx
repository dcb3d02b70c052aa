/** Finding — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function FindingDetailScreen() {
  return (
    <>
      <PageHeader title="Finding" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
