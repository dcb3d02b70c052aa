/** Advisories — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function AdvisoryListScreen() {
  return (
    <>
      <PageHeader title="Advisories" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
