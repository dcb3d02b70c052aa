/** New change — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function ChangeNewScreen() {
  return (
    <>
      <PageHeader title="New change" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
