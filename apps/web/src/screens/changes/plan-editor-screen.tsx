/** Plan editor — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function PlanEditorScreen() {
  return (
    <>
      <PageHeader title="Plan editor" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
