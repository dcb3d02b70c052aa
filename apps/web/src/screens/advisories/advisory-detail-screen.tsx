/**
 * /advisories/:advisoryId: the OSV record (summary; details as plain text, never HTML; affected
 * packages and their ranges; references as links; aliases), the facts of its CVEs (CISA KEV,
 * FIRST EPSS, CVSS per source, CISA SSVC), and the findings it causes. The advisory and the
 * findings summary are asked at once.
 */
import { Link, useParams } from 'react-router';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import type { Tone } from '../../ui/badges.tsx';
import { Badge, PriorityBadge } from '../../ui/badges.tsx';
import { formatDate, formatDateTime, formatNumber, formatPercent } from '../../ui/format.ts';
import { Facts, PageHeader, Section } from '../../ui/page.tsx';
import { EmptyState, ErrorState, Loading, QueryState } from '../../ui/states.tsx';
import type { CvssSeverity, FactsView, OsvAffected } from './osv-view.ts';
import { describeRange, readFacts, readOsv, safeHref } from './osv-view.ts';
import './advisories.css';

const severityTone: Record<CvssSeverity, Tone> = {
  none: 'neutral',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

export function AdvisoryDetailScreen() {
  const { advisoryId = '' } = useParams();
  const session = useSession();
  const advisory = $api.useQuery('get', '/api/v1/advisories/{id}', {
    params: { path: { id: advisoryId } },
  });
  const findings = $api.useQuery(
    'get',
    '/api/v1/findings/summary',
    { params: { query: { advisory: advisoryId, status: 'all' } } },
    { enabled: session.can('findings:read') },
  );

  if (advisory.isPending)
    return (
      <>
        <PageHeader title={advisoryId} />
        <Loading label="Loading the advisory…" />
      </>
    );
  if (advisory.isError)
    return (
      <>
        <PageHeader title={advisoryId} />
        <ErrorState
          error={advisory.error}
          title={
            advisory.error.status === 404
              ? 'No stored advisory has this id'
              : 'This advisory could not be loaded'
          }
          onRetry={() => void advisory.refetch()}
        />
        <p>
          <Link to={`/advisories?q=${encodeURIComponent(advisoryId)}`}>
            Search for {advisoryId} among aliases
          </Link>
        </p>
      </>
    );
  const osv = readOsv(advisory.data.advisory, advisoryId);
  const facts = advisory.data.facts
    .map(readFacts)
    .filter((fact): fact is FactsView => fact !== undefined);

  return (
    <>
      <PageHeader
        title={osv.id}
        description={osv.summary ?? 'No summary'}
        actions={
          session.can('findings:read') && (
            <Link className="button" to={`/findings?advisory=${encodeURIComponent(osv.id)}`}>
              Findings it causes
            </Link>
          )
        }
      >
        <p className="small">
          <Link to="/advisories">All advisories</Link>
        </p>
        {osv.withdrawn !== undefined && (
          <p className="form-error" role="note">
            Withdrawn on {formatDateTime(osv.withdrawn)}: this record no longer claims anything.
          </p>
        )}
      </PageHeader>
      <div className="split">
        <div className="stack">
          <Section title="Details">
            {/* Plain text: OSV details are Markdown from third parties, never trusted as HTML. */}
            {osv.details === undefined ? (
              <p className="muted">No details.</p>
            ) : (
              <pre className="osv-details" data-testid="osv-details">
                {osv.details}
              </pre>
            )}
          </Section>
          <Section title="CVE facts">
            {facts.length === 0 ? (
              <EmptyState title="No enrichment fact is known for its CVEs">
                <p>
                  KEV, EPSS, CVSS and SSVC come from enrichment sources (CISA KEV, FIRST EPSS, CVE
                  5, NVD).
                </p>
              </EmptyState>
            ) : (
              facts.map((fact) => <CveFacts key={fact.cve} fact={fact} />)
            )}
          </Section>
          <Section title="Affected packages">
            {osv.affected.length === 0 ? (
              <p className="muted">The record lists no affected package.</p>
            ) : (
              <ul className="affected-list">
                {osv.affected.map((affected, index) => (
                  <AffectedPackage
                    key={`${affected.ecosystem}|${affected.name}|${index}`}
                    affected={affected}
                  />
                ))}
              </ul>
            )}
          </Section>
        </div>
        <div className="stack">
          <Section title="Record">
            <Facts
              items={[
                ['Aliases', osv.aliases.length === 0 ? null : <IdList key="a" ids={osv.aliases} />],
                [
                  'Upstream',
                  osv.upstream.length === 0 ? null : <IdList key="u" ids={osv.upstream} />,
                ],
                ['Related', osv.related.length === 0 ? null : <IdList key="r" ids={osv.related} />],
                ['Published', formatDateTime(osv.published)],
                ['Modified', formatDateTime(osv.modified)],
                [
                  'Severity (OSV)',
                  osv.severity.length === 0 ? null : (
                    <span key="s" className="vector">
                      {osv.severity.map((s) => `${s.type} ${s.score}`).join('; ')}
                    </span>
                  ),
                ],
                ['Credits', osv.credits.length === 0 ? null : osv.credits.join(', ')],
              ]}
            />
          </Section>
          {session.can('findings:read') && (
            <Section title="Findings it causes">
              <QueryState query={findings}>
                {(summary) => (
                  <>
                    <Facts
                      items={[
                        ['In any state', formatNumber(summary.total)],
                        ['Open', formatNumber(summary.byState.open + summary.byState.reopened)],
                        ['Fixed', formatNumber(summary.byState.fixed)],
                        ['Overdue', formatNumber(summary.overdue)],
                      ]}
                    />
                    <p className="row-inline">
                      {(['P1', 'P2', 'P3', 'P4', 'P5'] as const)
                        .filter((priority) => summary.byPriority[priority] > 0)
                        .map((priority) => (
                          <span key={priority} className="row-inline">
                            <PriorityBadge priority={priority} /> {summary.byPriority[priority]}
                          </span>
                        ))}
                    </p>
                    <Link to={`/findings?advisory=${encodeURIComponent(osv.id)}`}>
                      Open these findings
                    </Link>
                  </>
                )}
              </QueryState>
            </Section>
          )}
          <Section title="References">
            {osv.references.length === 0 ? (
              <p className="muted">None.</p>
            ) : (
              <ul className="reference-list">
                {osv.references.map((reference, index) => {
                  const href = safeHref(reference.url);
                  return (
                    <li key={`${reference.url}|${index}`}>
                      <span className="muted small">{reference.type}</span>{' '}
                      {href === undefined ? (
                        <span>{reference.url}</span>
                      ) : (
                        <a href={href} target="_blank" rel="noopener noreferrer">
                          {reference.url}
                        </a>
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
          </Section>
        </div>
      </div>
    </>
  );
}

/** CVE ids link to a search (the advisories that name them); others to their advisory. */
function IdList({ ids }: { readonly ids: readonly string[] }) {
  return (
    <span className="label-list">
      {ids.map((id, index) => (
        <span key={id}>
          <Link to={`/advisories?q=${encodeURIComponent(id)}`} className="advisory-id">
            {id}
          </Link>
          {index < ids.length - 1 && ', '}
        </span>
      ))}
    </span>
  );
}

function AffectedPackage({ affected }: { readonly affected: OsvAffected }) {
  return (
    <li>
      <strong>{affected.name}</strong> <span className="muted">({affected.ecosystem})</span>
      {affected.purl !== undefined && <div className="vector muted">{affected.purl}</div>}
      {affected.ranges.length > 0 && (
        <ul>
          {affected.ranges.map((range, index) => (
            <li key={index}>
              <span className="muted small">{range.type}</span> {describeRange(range) || '—'}
              {range.repo !== undefined && <span className="muted small"> ({range.repo})</span>}
            </li>
          ))}
        </ul>
      )}
      {affected.versions.length > 0 && (
        <details>
          <summary>{formatNumber(affected.versions.length)} affected versions listed</summary>
          <p className="vector">{affected.versions.join(', ')}</p>
        </details>
      )}
    </li>
  );
}

export function CveFacts({ fact }: { readonly fact: FactsView }) {
  return (
    <div className="cve-block">
      <h3 id={`cve-${fact.cve}`} className="row-inline">
        {fact.cve}
        {fact.kev !== undefined && <Badge tone="critical">Known exploited (KEV)</Badge>}
      </h3>
      <div className="fact-grid">
        <div className="fact-card">
          <h4>CISA KEV</h4>
          {fact.kev === undefined ? (
            <p className="muted">Not in the catalogue.</p>
          ) : (
            <Facts
              items={[
                ['Date added', formatDate(fact.kev.dateAdded)],
                ['Due date', formatDate(fact.kev.dueDate)],
                ['Known ransomware use', fact.kev.ransomware ?? null],
                ['Vulnerability', fact.kev.vulnerabilityName ?? null],
                [
                  'Product',
                  [fact.kev.vendorProject, fact.kev.product].filter(Boolean).join(' ') || null,
                ],
                ['Required action', fact.kev.requiredAction ?? null],
              ]}
            />
          )}
        </div>
        <div className="fact-card">
          <h4>FIRST EPSS</h4>
          {fact.epss === undefined ? (
            <p className="muted">No score.</p>
          ) : (
            <Facts
              items={[
                [
                  'Score',
                  <span key="score">
                    {formatPercent(fact.epss.score, 2)}{' '}
                    <span className="muted small">({fact.epss.score.toFixed(5)})</span>
                    <span
                      className="epss-bar"
                      role="img"
                      aria-label={`EPSS ${formatPercent(fact.epss.score, 2)}`}
                    >
                      <span style={{ width: `${Math.min(100, fact.epss.score * 100)}%` }} />
                    </span>
                  </span>,
                ],
                [
                  'Percentile',
                  fact.epss.percentile === undefined
                    ? null
                    : formatPercent(fact.epss.percentile, 1),
                ],
                ['Date', formatDate(fact.epss.scoreDate)],
                ['Model', fact.epss.modelVersion ?? null],
              ]}
            />
          )}
        </div>
        <div className="fact-card">
          <h4>CISA SSVC</h4>
          {fact.ssvc === undefined ? (
            <p className="muted">No decision points published.</p>
          ) : (
            <Facts
              items={[
                ['Exploitation', fact.ssvc.exploitation ?? null],
                ['Automatable', fact.ssvc.automatable ?? null],
                ['Technical impact', fact.ssvc.technicalImpact ?? null],
                ['Source', [fact.ssvc.source, fact.ssvc.role].filter(Boolean).join(', ') || null],
                ['As of', formatDate(fact.ssvc.timestamp)],
              ]}
            />
          )}
        </div>
      </div>
      <h4 className="cvss-title">CVSS</h4>
      {fact.cvss.length === 0 ? (
        <p className="muted">No CVSS vector published.</p>
      ) : (
        <div className="table-scroll">
          <table className="simple-table">
            <caption className="visually-hidden">CVSS vectors of {fact.cve} by source</caption>
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Version</th>
                <th scope="col">Base score</th>
                <th scope="col">Severity</th>
                <th scope="col">Vector</th>
              </tr>
            </thead>
            <tbody>
              {fact.cvss.map((cvss) => (
                <tr key={`${cvss.source ?? ''}|${cvss.vector}`}>
                  <td>
                    {cvss.source ?? '—'}
                    {cvss.kind !== undefined && <span className="muted small"> ({cvss.kind})</span>}
                  </td>
                  <td>{cvss.version ?? '—'}</td>
                  <td>{cvss.baseScore?.toFixed(1) ?? <span className="muted">not stated</span>}</td>
                  <td>
                    {cvss.severity === undefined ? (
                      '—'
                    ) : (
                      <Badge tone={severityTone[cvss.severity]}>{cvss.severity}</Badge>
                    )}
                  </td>
                  <td className="vector">{cvss.vector}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(fact.cwes.length > 0 || fact.published !== undefined) && (
        <p className="muted small">
          {fact.cwes.length > 0 && <>Weaknesses: {fact.cwes.join(', ')}. </>}
          {fact.published !== undefined && <>CVE published {formatDate(fact.published)}.</>}
        </p>
      )}
    </div>
  );
}
