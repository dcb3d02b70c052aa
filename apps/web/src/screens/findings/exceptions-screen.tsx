/** Exceptions — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function ExceptionsScreen() {
  return (
    <>
      <PageHeader title="Exceptions" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
