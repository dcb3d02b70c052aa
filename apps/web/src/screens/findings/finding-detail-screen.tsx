/**
 * One finding (`/findings/:findingId`): what is affected, why it has its priority and due date
 * (the policy's explanation: inputs, sources, rule, due computation), its triage, exceptions
 * and history, with the actions the user may take.
 */
import { Link, useParams } from 'react-router';
import { $api } from '../../api/query.ts';
import { PriorityBadge, StatusBadge } from '../../ui/badges.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';
import { FindingView } from './finding-view.tsx';
import './findings.css';

export function FindingDetailScreen() {
  const { findingId = '' } = useParams();
  const finding = $api.useQuery('get', '/api/v1/findings/{id}', {
    params: { path: { id: findingId } },
  });
  if (finding.isPending) return <Loading label="Loading the finding…" />;
  if (finding.isError)
    return (
      <>
        <PageHeader title="Finding" />
        <ErrorState error={finding.error} onRetry={() => void finding.refetch()} />
      </>
    );
  const data = finding.data;
  return (
    <div className="finding-page">
      <PageHeader
        title={`${data.advisory.id} on ${data.asset.name}`}
        description={
          <>
            <PriorityBadge priority={data.priority} /> <StatusBadge status={data.status} />{' '}
            {data.package.name} {data.package.version}
          </>
        }
        actions={
          <Link className="button" to={`/findings?asset=${encodeURIComponent(data.asset.name)}`}>
            All findings on {data.asset.name}
          </Link>
        }
      />
      <FindingView finding={data} level={2} />
    </div>
  );
}
