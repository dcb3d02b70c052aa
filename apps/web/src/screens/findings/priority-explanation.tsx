/**
 * Why a finding has its priority and due date, from the policy's stored decision
 * (`GET /api/v1/findings/{id}` → `decision`): the rule that decided, the inputs it read with
 * the source of each, the sources grouped (which feed said what), and how the due date was
 * counted. Everything the server sends is shown, in words, not as JSON.
 */
import { Badge, PriorityBadge } from '../../ui/badges.tsx';
import { Facts } from '../../ui/page.tsx';
import { formatDate, formatDateTime } from '../../ui/format.ts';
import type { FindingDecision, FindingDetail } from './finding-types.ts';
import { Heading } from './heading.tsx';

type Input = FindingDecision['explanation']['inputs'][number];

/** What each input the built-in policies read means, for a person. */
const inputLabels: Record<string, string> = {
  cves: 'CVEs of the advisory',
  cvssVector: 'CVSS vector',
  cvssScore: 'CVSS base score',
  severity: 'Severity',
  epss: 'EPSS (probability of exploitation in 30 days)',
  epssPercentile: 'EPSS percentile',
  kev: 'In CISA KEV (known exploited)',
  kevDueDate: 'KEV due date',
  ransomware: 'Known ransomware use',
  exploitation: 'SSVC exploitation',
  automatable: 'SSVC automatable',
  technicalImpact: 'SSVC technical impact',
  humanImpact: 'SSVC human impact',
  systemExposure: 'SSVC system exposure',
  publiclyExposed: 'Publicly exposed',
  inKevOrActive: 'In KEV or actively exploited',
  published: 'Published',
  criticality: 'Asset criticality',
  exposure: 'Asset exposure',
  environment: 'Asset environment',
  tags: 'Asset tags',
  detectedOn: 'Detected on',
};

export const inputLabel = (name: string): string => inputLabels[name] ?? name;

const ratioInputs = new Set(['epss', 'epssPercentile']);
const dateInputs = new Set(['kevDueDate', 'published', 'detectedOn']);

export function formatInputValue(input: Pick<Input, 'name' | 'value'>): string {
  const { name, value } = input;
  if (value === null) return 'unknown';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number')
    return ratioInputs.has(name)
      ? `${(value * 100).toFixed(value < 0.01 ? 2 : 1)} %`
      : String(value);
  if (dateInputs.has(name)) return formatDate(value);
  if (value === '') return '—';
  return value.replaceAll(',', ', ');
}

/** The sources the inputs came from, each with the inputs it gave (first-seen order). */
export function groupBySource(inputs: readonly Input[]): { source: string; inputs: Input[] }[] {
  const groups = new Map<string, Input[]>();
  for (const input of inputs) {
    const list = groups.get(input.source) ?? [];
    list.push(input);
    groups.set(input.source, list);
  }
  return [...groups].map(([source, list]) => ({ source, inputs: list }));
}

export function PriorityExplanation({
  finding,
  level,
}: {
  readonly finding: FindingDetail;
  readonly level: 2 | 3;
}) {
  const { decision } = finding;
  const { explanation } = decision;
  const sub = (level + 1) as 3 | 4;
  return (
    <div className="explanation">
      <p className="explanation-text">{explanation.text}</p>
      <Facts
        items={[
          ['Priority', <PriorityBadge key="p" priority={decision.priority} />],
          [
            'Due',
            <span key="d">
              {formatDate(decision.dueDate)}{' '}
              {finding.overdue && <Badge tone="critical">overdue</Badge>}
            </span>,
          ],
          ['Timeline', decision.timeline],
          ['Severity', decision.severity],
          ['SSVC outcome', decision.ssvcOutcome ?? '—'],
          ['Driving CVE', decision.drivingCve ?? '—'],
        ]}
      />

      <Heading level={sub}>Rule</Heading>
      <p>
        <span className="mono">{explanation.rule.id}</span> of the policy{' '}
        <strong>{explanation.policy.name}</strong>{' '}
        <span className="muted">
          ({explanation.policy.id}, version {explanation.policy.version})
        </span>
        : {explanation.rule.description}
      </p>
      {finding.unknownSeverity !== null && (
        <p className="muted">Unknown severity: {finding.unknownSeverity}</p>
      )}

      <Heading level={sub}>Due date</Heading>
      <p>
        {decision.dueDate === null ? 'No due date' : <>Due {formatDate(decision.dueDate)}</>}:{' '}
        {explanation.due}.
      </p>

      <Heading level={sub}>Inputs</Heading>
      {explanation.inputs.length === 0 ? (
        <p className="muted">The rule read no inputs.</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Inputs (scrollable)">
          <table className="simple-table explanation-inputs">
            <caption className="visually-hidden">Inputs the rule read, with their sources</caption>
            <thead>
              <tr>
                <th scope="col">Input</th>
                <th scope="col">Value</th>
                <th scope="col">Source</th>
                <th scope="col">As of</th>
              </tr>
            </thead>
            <tbody>
              {explanation.inputs.map((input, index) => (
                <tr key={`${input.name}-${index}`}>
                  <th scope="row">{inputLabel(input.name)}</th>
                  <td className={input.name === 'cvssVector' ? 'mono' : undefined}>
                    {formatInputValue(input)}
                  </td>
                  <td>{input.source}</td>
                  <td>{input.timestamp === undefined ? '—' : formatDateTime(input.timestamp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <Heading level={sub}>Sources</Heading>
      <ul className="explanation-sources">
        {groupBySource(explanation.inputs).map((group) => (
          <li key={group.source}>
            <strong>{group.source}</strong>:{' '}
            {group.inputs
              .map((input) => `${inputLabel(input.name)} ${formatInputValue(input)}`)
              .join('; ')}
          </li>
        ))}
      </ul>
    </div>
  );
}
