/** Advisory — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function AdvisoryDetailScreen() {
  return (
    <>
      <PageHeader title="Advisory" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
