/** Asset — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function AssetDetailScreen() {
  return (
    <>
      <PageHeader title="Asset" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
