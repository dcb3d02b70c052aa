/** Change — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function ChangeDetailScreen() {
  return (
    <>
      <PageHeader title="Change" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
