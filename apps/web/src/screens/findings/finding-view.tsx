/**
 * One finding as people read it: what is affected and how it was matched, the priority
 * explanation, its triage (VEX) and exceptions with their actions, and its history. The same
 * view is the findings list's side panel (`level` 3: under the panel's h2) and the finding's
 * own page (`level` 2: under the page's h1).
 */
import { useState } from 'react';
import { Link } from 'react-router';
import { useSession } from '../../api/session.tsx';
import { Badge, PriorityBadge, StatusBadge } from '../../ui/badges.tsx';
import { Facts } from '../../ui/page.tsx';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import {
  ExceptionActions,
  ExceptionRequestDialog,
  justificationLabel,
  TriageDialog,
} from './finding-actions.tsx';
import type { FindingDetail, FindingHistoryEntry } from './finding-types.ts';
import { Heading } from './heading.tsx';
import { PriorityExplanation } from './priority-explanation.tsx';

export function FindingView({
  finding,
  level,
  showHistory = true,
  explanationFirst = false,
}: {
  readonly finding: FindingDetail;
  readonly level: 2 | 3;
  readonly showHistory?: boolean;
  /** The list's panel leads with why (the row already says what). */
  readonly explanationFirst?: boolean;
}) {
  const sub = (level + 1) as 3 | 4;
  const affected = (
    <div className="finding-block" key="affected">
      <Heading level={level}>Affected</Heading>
      <FindingFacts finding={finding} />
    </div>
  );
  const explanation = (
    <div className="finding-block" key="explanation">
      <Heading level={level}>Priority explanation</Heading>
      <PriorityExplanation finding={finding} level={level} />
    </div>
  );
  return (
    <div className="finding-view">
      {explanationFirst ? [explanation, affected] : [affected, explanation]}
      <div className="finding-block">
        <TriageBlock finding={finding} level={level} />
      </div>
      <div className="finding-block">
        <ExceptionsBlock finding={finding} level={level} sub={sub} />
      </div>
      {showHistory && (
        <div className="finding-block">
          <Heading level={level}>History</Heading>
          <History entries={finding.history} />
        </div>
      )}
    </div>
  );
}

function FindingFacts({ finding }: { readonly finding: FindingDetail }) {
  const { asset, advisory, match } = finding;
  return (
    <>
      {advisory.summary !== null && <p>{advisory.summary}</p>}
      <Facts
        items={[
          [
            'Advisory',
            <Link key="a" to={`/advisories/${encodeURIComponent(advisory.id)}`}>
              {advisory.id}
            </Link>,
          ],
          ['Aliases', advisory.aliases.length === 0 ? '—' : advisory.aliases.join(', ')],
          [
            'Asset',
            <Link key="as" to={`/assets/${encodeURIComponent(asset.id)}`}>
              {asset.name}
            </Link>,
          ],
          [
            'Asset context',
            [
              asset.environment ?? 'no environment',
              asset.criticality ?? 'no criticality',
              asset.exposure,
            ]
              .map((w) => w.replaceAll('_', ' '))
              .join(' · '),
          ],
          ['Groups', asset.groups.length === 0 ? '—' : asset.groups.join(', ')],
          [
            'Package',
            <span key="p" className="mono">
              {finding.package.name} {finding.package.version}
            </span>,
          ],
          ['Ecosystem', finding.package.ecosystem],
          ['Source package', finding.package.sourceName ?? '—'],
          [
            'Fixed in',
            finding.fixedVersions.length === 0 ? 'no fix yet' : finding.fixedVersions.join(', '),
          ],
          [
            'Matched by',
            match.by === 'range'
              ? `version range ${match.range ?? ''}${match.epochIgnored === true ? ' (epoch ignored)' : ''}`
              : 'listed affected versions',
          ],
          ['Status', <StatusBadge key="s" status={finding.status} />],
          ['Priority', <PriorityBadge key="pr" priority={finding.priority} />],
          [
            'Due',
            <span key="d">
              {formatDate(finding.dueDate)}{' '}
              {finding.overdue && <Badge tone="critical">overdue</Badge>}
            </span>,
          ],
          ['KEV', finding.kev ? <Badge tone="critical">known exploited</Badge> : 'no'],
          ['EPSS', finding.epss === null ? 'unknown' : `${(finding.epss * 100).toFixed(1)} %`],
          ['First seen', formatDateTime(finding.firstSeenAt)],
          ['Last seen', formatDateTime(finding.lastSeenAt)],
          ...(finding.reopenedAt !== null
            ? [['Reopened', formatDateTime(finding.reopenedAt)] as const]
            : []),
          ...(finding.fixedAt !== null
            ? [['Fixed', formatDateTime(finding.fixedAt)] as const]
            : []),
          ...(finding.fixedByChangeId !== null
            ? [
                [
                  'Fixed by change',
                  <Link key="c" to={`/changes/${finding.fixedByChangeId}`}>
                    the change
                  </Link>,
                ] as const,
              ]
            : []),
        ]}
      />
      {finding.package.instances.length > 1 && (
        <details className="instances">
          <summary>{finding.package.instances.length} copies installed</summary>
          <ul>
            {finding.package.instances.map((instance, index) => (
              <li key={`${instance.location ?? ''}-${index}`} className="mono">
                {instance.version} {instance.location ?? ''} {instance.purl ?? ''}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

function TriageBlock({
  finding,
  level,
}: {
  readonly finding: FindingDetail;
  readonly level: 2 | 3;
}) {
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  const { triage } = finding;
  return (
    <>
      <div className="block-header">
        <Heading level={level}>Triage</Heading>
        {can('findings:triage') && (
          <button type="button" className="button button-small" onClick={() => setOpen(true)}>
            {triage === null ? 'Triage' : 'Change triage'}
          </button>
        )}
      </div>
      {triage === null ? (
        <p className="muted">Not triaged yet.</p>
      ) : (
        <Facts
          items={[
            ['State', <StatusBadge key="s" status={triage.state} />],
            [
              'Justification',
              triage.justification === null ? '—' : justificationLabel(triage.justification),
            ],
            ['Detail', triage.detail ?? '—'],
            ['By', triage.by ?? '—'],
            ['At', formatDateTime(triage.at)],
          ]}
        />
      )}
      <TriageDialog
        findingId={finding.id}
        current={triage}
        open={open}
        onClose={() => setOpen(false)}
      />
    </>
  );
}

function ExceptionsBlock({
  finding,
  level,
  sub,
}: {
  readonly finding: FindingDetail;
  readonly level: 2 | 3;
  readonly sub: 3 | 4;
}) {
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  const pending = finding.exceptions.find((e) => e.state === 'requested' || e.state === 'approved');
  return (
    <>
      <div className="block-header">
        <Heading level={level}>Exceptions</Heading>
        {can('exceptions:request') && pending === undefined && finding.state !== 'fixed' && (
          <button type="button" className="button button-small" onClick={() => setOpen(true)}>
            Request exception
          </button>
        )}
      </div>
      {finding.accepted !== null && (
        <p>
          <Badge tone="ok">accepted</Badge> The risk is accepted until{' '}
          {formatDate(finding.accepted.until)}.
        </p>
      )}
      {finding.exceptions.length === 0 ? (
        <p className="muted">No exception requested.</p>
      ) : (
        <ul className="exception-list">
          {finding.exceptions.map((exception) => (
            <li key={exception.id} className="exception-item">
              <Heading level={sub} className="exception-title">
                <StatusBadge status={exception.state} /> requested by {exception.requestedBy.name},{' '}
                {formatDate(exception.requestedAt)}
              </Heading>
              <Facts
                items={[
                  ['Owner', exception.owner],
                  ['Reason', exception.reason],
                  ['Expires', formatDate(exception.expiresAt)],
                  [
                    'Decided',
                    exception.decidedBy === null
                      ? '—'
                      : `${exception.decidedBy.name}, ${formatDateTime(exception.decidedAt)}`,
                  ],
                  ['Note', exception.decisionNote ?? '—'],
                ]}
              />
              <ExceptionActions exception={exception} />
            </li>
          ))}
        </ul>
      )}
      <ExceptionRequestDialog findingId={finding.id} open={open} onClose={() => setOpen(false)} />
    </>
  );
}

const actionLabels: Record<string, string> = {
  'finding.detected': 'Detected',
  'finding.fixed': 'Fixed',
  'finding.reopened': 'Reopened',
  'finding.triaged': 'Triaged',
  'finding.fixed-by-change': 'Fixed by a change',
  'finding_exception.requested': 'Exception requested',
  'finding_exception.approved': 'Exception approved',
  'finding_exception.rejected': 'Exception rejected',
  'finding_exception.revoked': 'Exception revoked',
  'finding_exception.expired': 'Exception expired',
};

const scalar = (value: unknown): string => {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
};

/** What changed between `before` and `after`, key by key (a few keys, short values). */
export function describeChange(before: unknown, after: unknown): string[] {
  const asRecord = (value: unknown): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  const b = asRecord(before);
  const a = asRecord(after);
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter(
    (key) => !/(^|_)(id|updated_at|json)$|At$|Id$/.test(key) && scalar(b[key]) !== scalar(a[key]),
  );
  return keys.slice(0, 8).map((key) => {
    const from = scalar(b[key]);
    const to = scalar(a[key]);
    const clip = (text: string) => (text.length > 80 ? `${text.slice(0, 79)}…` : text);
    return key in b
      ? `${key.replaceAll('_', ' ')}: ${clip(from)} → ${clip(to)}`
      : `${key.replaceAll('_', ' ')}: ${clip(to)}`;
  });
}

function History({ entries }: { readonly entries: readonly FindingHistoryEntry[] }) {
  if (entries.length === 0) return <p className="muted">No history.</p>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="History (scrollable)">
      <table className="simple-table">
        <caption className="visually-hidden">History of the finding, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">What</th>
            <th scope="col">Who</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry, index) => (
            <tr key={`${entry.at}-${entry.action}-${index}`}>
              <td>{formatDateTime(entry.at)}</td>
              <td>{actionLabels[entry.action] ?? entry.action}</td>
              <td>{entry.actor ?? 'reconcile'}</td>
              <td className="small">
                {describeChange(entry.before, entry.after).map((line) => (
                  <div key={line}>{line}</div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
