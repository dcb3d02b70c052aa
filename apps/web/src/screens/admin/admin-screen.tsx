/** Administration — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function AdminScreen() {
  return (
    <>
      <PageHeader title="Administration" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
