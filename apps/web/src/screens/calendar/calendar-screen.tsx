/** Calendar — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function CalendarScreen() {
  return (
    <>
      <PageHeader title="Calendar" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
