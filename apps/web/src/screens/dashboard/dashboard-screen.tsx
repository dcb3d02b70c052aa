/** Dashboard — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function DashboardScreen() {
  return (
    <>
      <PageHeader title="Dashboard" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
