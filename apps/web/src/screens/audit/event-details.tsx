/**
 * One audit event in full: who, what, on what, from where, its place in the chain, and what
 * changed — the fields whose value differs between `before` and `after`, then both states as
 * indented JSON. Everything is rendered as text (React escapes it): an event's values are data
 * people typed, never markup.
 */
import { Facts, Section } from '../../ui/page.tsx';
import { formatDateTime } from '../../ui/format.ts';
import type { AuditEvent } from './types.ts';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A field's value: struck out (before) or marked (after); "absent" when the state lacks it. */
function Value({ value, as: Mark }: { readonly value: unknown; readonly as: 'del' | 'ins' }) {
  if (value === undefined) return <span className="muted">absent</span>;
  return <Mark>{typeof value === 'string' ? value : JSON.stringify(value)}</Mark>;
}

/** The top-level fields that differ between two states (added, removed or changed). */
export function changedFields(
  before: unknown,
  after: unknown,
): { field: string; before: unknown; after: unknown }[] {
  if (!isRecord(before) && !isRecord(after)) return [];
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  return fields
    .filter((field) => JSON.stringify(b[field]) !== JSON.stringify(a[field]))
    .map((field) => ({ field, before: b[field], after: a[field] }));
}

export function EventDetails({ event }: { readonly event: AuditEvent }) {
  const changes = changedFields(event.before, event.after);
  return (
    <div className="audit-details">
      <Facts
        items={[
          ['Event', `#${event.seq}`],
          ['When', formatDateTime(event.occurredAt)],
          [
            'Action',
            <span key="a" className="mono">
              {event.action}
            </span>,
          ],
          [
            'Actor',
            `${event.actor.name} (${event.actor.type}${event.actor.id !== null ? `, ${event.actor.id}` : ''})`,
          ],
          [
            'Subject',
            <span key="s" className="mono">
              {event.subject.type}
              {event.subject.id !== null && `: ${event.subject.id}`}
            </span>,
          ],
          ['From address', event.ip ?? '—'],
          [
            'Request',
            <span key="r" className="mono small">
              {event.requestId ?? '—'}
            </span>,
          ],
          [
            'Event id',
            <span key="i" className="mono small">
              {event.id}
            </span>,
          ],
        ]}
      />
      <Section title="What changed">
        {changes.length === 0 ? (
          <p className="muted">
            {event.before === null && event.after === null
              ? 'This event records an action, not a state.'
              : 'No top-level field differs between before and after.'}
          </p>
        ) : (
          <div className="table-scroll-x">
            <table className="simple-table audit-changes">
              <thead>
                <tr>
                  <th scope="col">Field</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                </tr>
              </thead>
              <tbody>
                {changes.map((change) => (
                  <tr key={change.field}>
                    <th scope="row" className="mono">
                      {change.field}
                    </th>
                    <td className="mono small break">
                      <Value value={change.before} as="del" />
                    </td>
                    <td className="mono small break">
                      <Value value={change.after} as="ins" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <div className="audit-states">
        <Section title="Before">
          <pre className="json" tabIndex={0} role="region" aria-label="State before, as JSON">
            {event.before === null
              ? 'null (nothing before)'
              : JSON.stringify(event.before, null, 2)}
          </pre>
        </Section>
        <Section title="After">
          <pre className="json" tabIndex={0} role="region" aria-label="State after, as JSON">
            {event.after === null ? 'null (nothing after)' : JSON.stringify(event.after, null, 2)}
          </pre>
        </Section>
      </div>
      <Section title="Place in the chain">
        <Facts
          items={[
            [
              'Hash',
              <span key="h" className="mono small break">
                {event.hash}
              </span>,
            ],
            [
              'Previous hash',
              <span key="p" className="mono small break">
                {event.prevHash}
              </span>,
            ],
          ]}
        />
      </Section>
    </div>
  );
}
