/** Assets — to be built (issue 10). */
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState } from '../../ui/states.tsx';

export function AssetListScreen() {
  return (
    <>
      <PageHeader title="Assets" />
      <EmptyState title="This screen is being built." />
    </>
  );
}
