/** Audit log — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function AuditScreen() {
  return (
    <>
      <PageHeader title="Audit log" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
