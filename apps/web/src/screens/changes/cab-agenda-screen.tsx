/** CAB agenda — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function CabAgendaScreen() {
  return (
    <>
      <PageHeader title="CAB agenda" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
