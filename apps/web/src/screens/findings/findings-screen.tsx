/** Findings — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function FindingsScreen() {
  return (
    <>
      <PageHeader title="Findings" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
