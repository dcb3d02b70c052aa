/**
 * The caller's iCalendar feed (calendar:read): a secret URL calendar clients subscribe to
 * (`GET /api/v1/calendar/feed/<token>`, a week back and 92 days ahead). Creating one
 * (`POST …/feed-token`) replaces any earlier one, so it is confirmed; the URL is shown once, with
 * a copy button, and lives only in this component's state until its dialog closes. Revoking
 * (`DELETE …/feed-token`) is confirmed too; the server's 404 (no feed URL) is said in words.
 */
import { useState } from 'react';
import { ApiError, errorMessage } from '../../api/client.ts';
import { $api } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { ConfirmDialog } from '../../ui/dialog.tsx';
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
  const [confirm, setConfirm] = useState<'create' | 'revoke' | undefined>();
  const [secret, setSecret] = useState<{ url: string; createdAt: string } | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const create = $api.useMutation('post', '/api/v1/calendar/feed-token', {
    onSuccess: (created) => {
      setConfirm(undefined);
      setNotice(`A feed URL was created ${formatDateTime(created.createdAt)}.`);
      setSecret({ url: `${window.location.origin}${created.path}`, createdAt: created.createdAt });
    },
  });
  const revoke = $api.useMutation('delete', '/api/v1/calendar/feed-token', {
    onSuccess: () => {
      setConfirm(undefined);
      setNotice('Your feed URL was revoked: calendar clients using it now get nothing.');
    },
  });
  const allowed = can('calendar:read');
  const revokeError =
    revoke.error === null
      ? undefined
      : statusOf(revoke.error) === 404
        ? 'You have no feed URL to revoke.'
        : errorMessage(revoke.error);
  return (
    <Section title="Calendar feed (iCalendar)">
      <p>
        Subscribe to the change calendar from Outlook, Thunderbird or any iCalendar client: a
        private URL shows the windows, freezes and scheduled changes from a week back to 92 days
        ahead. Whoever has the URL can read the calendar, so keep it to yourself; making a new one
        or revoking it stops the old one.
      </p>
      <div className="row-inline">
        <button
          type="button"
          className="button button-primary"
          disabled={!allowed}
          title={allowed ? undefined : 'A feed needs the calendar:read permission'}
          onClick={() => {
            create.reset();
            setConfirm('create');
          }}
        >
          Create a feed URL
        </button>
        <button
          type="button"
          className="button button-danger"
          disabled={!allowed}
          title={allowed ? undefined : 'A feed needs the calendar:read permission'}
          onClick={() => {
            revoke.reset();
            setConfirm('revoke');
          }}
        >
          Revoke my feed URL
        </button>
      </div>
      <p className="small" role="status">
        {notice ?? ''}
      </p>
      <ConfirmDialog
        open={confirm === 'create'}
        title="Create a calendar feed URL?"
        message={
          <p>
            The URL is shown once. If you made one before, it stops working: calendar clients
            subscribed to it must be given the new one.
          </p>
        }
        confirmLabel="Create the feed URL"
        busy={create.isPending}
        error={create.error === null ? undefined : errorMessage(create.error)}
        onConfirm={() => create.mutate({})}
        onClose={() => setConfirm(undefined)}
      />
      <ConfirmDialog
        open={confirm === 'revoke'}
        title="Revoke your calendar feed URL?"
        message={<p>Calendar clients subscribed to it stop receiving the calendar.</p>}
        confirmLabel="Revoke the feed URL"
        danger
        busy={revoke.isPending}
        error={revokeError}
        onConfirm={() => revoke.mutate({})}
        onClose={() => setConfirm(undefined)}
      />
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
