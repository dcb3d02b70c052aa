/**
 * The caller's iCalendar feed (calendar:read): a secret URL calendar clients subscribe to
 * (`GET /api/v1/calendar/feed/<token>`, a week back and 92 days ahead). Creating one
 * (`POST …/feed-token`) replaces any earlier one, so it is confirmed; the URL is shown once, with
 * a copy button, and lives only in this component's state until its dialog closes. Revoking
 * (`DELETE …/feed-token`) is confirmed too; the server's 404 (no feed URL) is said in words.
 */
import { useState } from 'react';
import { ApiError, errorMessage } from '../../api/client.ts';
import { useSession } from '../../api/session.tsx';
import { ConfirmAction } from '../../ui/confirm-action.tsx';
import { formatDateTime } from '../../ui/format.ts';
import { Section } from '../../ui/page.tsx';
import { SecretDialog } from '../admin/common.tsx';

/** The HTTP status of a failed call: an ApiError, or the problem body openapi-react-query throws. */
const statusOf = (error: unknown): number | undefined =>
  error instanceof ApiError
    ? error.status
    : typeof error === 'object' && error !== null && 'status' in error
      ? Number(error.status)
      : undefined;

export function CalendarFeedSection() {
  const { can } = useSession();
  const [secret, setSecret] = useState<{ url: string; createdAt: string } | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const allowed = can('calendar:read');
  const why = allowed ? undefined : 'A feed needs the calendar:read permission';
  return (
    <Section title="Calendar feed (iCalendar)">
      <p>
        Subscribe to the change calendar from Outlook, Thunderbird or any iCalendar client: a
        private URL shows the windows, freezes and scheduled changes from a week back to 92 days
        ahead. Whoever has the URL can read the calendar, so keep it to yourself; making a new one
        or revoking it stops the old one.
      </p>
      <div className="row-inline">
        <ConfirmAction
          method="post"
          path="/api/v1/calendar/feed-token"
          init={() => ({})}
          invalidate={[]}
          onSuccess={(created) => {
            setNotice(`A feed URL was created ${formatDateTime(created.createdAt)}.`);
            setSecret({
              url: `${window.location.origin}${created.path}`,
              createdAt: created.createdAt,
            });
          }}
          label="Create a feed URL"
          buttonClassName="button button-primary"
          {...(why !== undefined && { disabledReason: why })}
          title="Create a calendar feed URL?"
          message={
            <p>
              The URL is shown once. If you made one before, it stops working: calendar clients
              subscribed to it must be given the new one.
            </p>
          }
          confirmLabel="Create the feed URL"
          danger={false}
        />
        <ConfirmAction
          method="delete"
          path="/api/v1/calendar/feed-token"
          init={() => ({})}
          invalidate={[]}
          onSuccess={() =>
            setNotice('Your feed URL was revoked: calendar clients using it now get nothing.')
          }
          label="Revoke my feed URL"
          buttonClassName="button button-danger"
          {...(why !== undefined && { disabledReason: why })}
          title="Revoke your calendar feed URL?"
          message={<p>Calendar clients subscribed to it stop receiving the calendar.</p>}
          confirmLabel="Revoke the feed URL"
          describeError={(error) =>
            statusOf(error) === 404 ? 'You have no feed URL to revoke.' : errorMessage(error)
          }
        />
      </div>
      <p className="small" role="status">
        {notice ?? ''}
      </p>
      <SecretDialog
        title="Your calendar feed URL"
        secret={secret?.url}
        onClose={() => setSecret(undefined)}
      >
        <p className="small">
          Add it to your calendar client as a subscription (&ldquo;From the internet&rdquo;,
          &ldquo;New calendar subscription&rdquo;). Times are in UTC.
        </p>
      </SecretDialog>
    </Section>
  );
}
