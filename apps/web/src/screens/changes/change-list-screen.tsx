/** Changes — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function ChangeListScreen() {
  return (
    <>
      <PageHeader title="Changes" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
