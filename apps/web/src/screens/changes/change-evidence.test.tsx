import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import type { EvidenceList, EvidenceRecord } from './change-evidence.tsx';
import type { ExportVerification } from './change-export.tsx';
import { changeApi, changeDetail, changeId, jonas, problem, tom } from './change-fixtures.ts';
import { ChangeDetailScreen } from './change-detail-screen.tsx';

const routes = [{ path: '/changes/:changeId', element: <ChangeDetailScreen /> }];
const evidenceUrl = '/changes/CHG-0007?tab=evidence';

const automated: EvidenceRecord = {
  id: '22222222-2222-4222-8222-222222222222',
  seq: 1,
  kind: 'automated',
  outcome: 'passed',
  suite: 'smoke-web',
  passed: 41,
  failed: 0,
  skipped: 2,
  link: 'https://ci.example.org/runs/77',
  at: '2026-12-01T11:00:00.000Z',
  notes: '',
  planVersion: 2,
  recordedBy: { id: adminUser.id, name: 'Administrator' },
  recordedAt: '2026-12-01T11:05:00.000Z',
  attachments: [
    {
      id: '33333333-3333-4333-8333-333333333333',
      name: 'junit.xml',
      mediaType: 'application/xml',
      size: 2_500,
      sha256: 'ab'.repeat(32),
      addedBy: { id: adminUser.id, name: 'Administrator' },
      addedAt: '2026-12-01T11:06:00.000Z',
    },
  ],
};

const signOff: EvidenceRecord = {
  ...automated,
  id: '44444444-4444-4444-8444-444444444444',
  seq: 2,
  kind: 'manual',
  outcome: 'failed',
  suite: null,
  passed: null,
  failed: null,
  skipped: null,
  link: null,
  notes: 'Login page returns 502 after the restart.',
  recordedBy: { id: tom.id, name: 'Tom Berg' },
  attachments: [],
};

function evidenceList(evidence: EvidenceRecord[], maxAttachmentBytes = 10 * 1024 * 1024) {
  return {
    evidence,
    limits: { maxAttachmentBytes, maxAttachmentsPerChange: 50, maxRecordsPerChange: 200 },
  } satisfies EvidenceList;
}

function api(
  evidence: EvidenceList,
  extra: Record<string, (request: Request) => unknown> = {},
  state: Parameters<typeof changeDetail>[0] = {},
) {
  return {
    ...changeApi(changeDetail({ evidence: evidence.evidence, ...state })),
    'GET /api/v1/changes/:id/evidence': () => evidence,
    ...extra,
  };
}

async function openEvidence(user: SessionUser, fake: ReturnType<typeof api>) {
  const calls = installFakeApi(fake, user);
  renderWithApp(routes, { url: evidenceUrl });
  await screen.findByRole('heading', { name: 'Test evidence' });
  return calls;
}

describe('the Evidence tab', () => {
  it('lists the evidence with its kind, verdict, counts and files (size, hash, download)', async () => {
    await openEvidence(adminUser, api(evidenceList([automated, signOff])));
    expect(screen.getByRole('tab', { name: 'Evidence (2)' }).getAttribute('aria-selected')).toBe(
      'true',
    );
    const list = await screen.findByRole('list', { name: 'Test evidence' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    const [first, second] = items as [HTMLElement, HTMLElement];
    expect(within(first).getByRole('heading', { name: '#1 smoke-web' })).toBeDefined();
    expect(first.textContent).toContain('41 passed, 0 failed, 2 skipped');
    expect(first.textContent).toContain('automated');
    const download = within(first).getByRole('link', { name: 'Download junit.xml (2.5 KB)' });
    expect(download.getAttribute('href')).toBe(
      `/api/v1/changes/${changeId}/evidence/${automated.id}/attachments/${automated.attachments[0]?.id}`,
    );
    expect(download.getAttribute('download')).toBe('junit.xml');
    expect(first.textContent).toContain('abababababab…');
    expect(within(second).getByRole('heading', { name: '#2 sign-off by Tom Berg' })).toBeDefined();
    expect(second.textContent).toContain('Login page returns 502 after the restart.');
    expect(second.textContent).toContain('failed');
    expect(
      screen.getByText(/2 records of at most 200; 1 attached file of at most 50/),
    ).toBeDefined();
  });

  it('is linked from the test plan on the Plans tab', async () => {
    installFakeApi(api(evidenceList([automated, signOff])), adminUser);
    const { router } = renderWithApp(routes, { url: '/changes/CHG-0007?tab=plans' });
    expect(await screen.findByText(/Evidence: 2 recorded \(1 failed\)/)).toBeDefined();
    await userEvent.click(screen.getByRole('link', { name: 'see the Evidence tab' }));
    expect(router.state.location.search).toBe('?tab=evidence');
    expect(await screen.findByRole('heading', { name: '#1 smoke-web' })).toBeDefined();
  });

  it('shows the empty state, and the error state with a retry', async () => {
    await openEvidence(adminUser, api(evidenceList([])));
    expect(await screen.findByText('No test evidence recorded')).toBeDefined();

    let fail = true;
    installFakeApi(
      {
        ...api(evidenceList([automated])),
        'GET /api/v1/changes/:id/evidence': () =>
          fail ? problem(409, 'the database is busy') : evidenceList([automated]),
      },
      adminUser,
    );
    renderWithApp(routes, { url: evidenceUrl });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('the database is busy');
    fail = false;
    await userEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: '#1 smoke-web' })).toBeDefined();
  });

  it('records automated results and shows the server’s 422 beside the field it names', async () => {
    let answers = 0;
    const calls = await openEvidence(
      adminUser,
      api(evidenceList([]), {
        'POST /api/v1/changes/:id/evidence': () =>
          ++answers === 1
            ? problem(422, 'body.outcome: a run with failed tests cannot be passed', [
                { field: 'body.outcome', message: 'contradicts the counts' },
              ])
            : { ...automated, attachments: [] },
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Record evidence' }));
    const dialog = await screen.findByRole('dialog', { name: 'Record evidence on CHG-0007' });
    await userEvent.type(within(dialog).getByLabelText('Suite'), 'smoke-web');
    await userEvent.type(within(dialog).getByLabelText('Passed'), '40');
    await userEvent.clear(within(dialog).getByLabelText('Failed'));
    await userEvent.type(within(dialog).getByLabelText('Failed'), '1');
    await userEvent.selectOptions(within(dialog).getByLabelText('Verdict'), 'passed');
    await userEvent.type(
      within(dialog).getByLabelText('Link to the run'),
      'https://ci.example.org/runs/77',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Record evidence' }));

    const verdict = within(dialog).getByLabelText('Verdict');
    await waitFor(() => expect(verdict.getAttribute('aria-invalid')).toBe('true'));
    const described = verdict.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(described.split(' ').at(-1) ?? '')?.textContent).toBe(
      'contradicts the counts',
    );
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({
      path: `/api/v1/changes/${changeId}/evidence`,
      body: {
        kind: 'automated',
        suite: 'smoke-web',
        passed: 40,
        failed: 1,
        skipped: 0,
        outcome: 'passed',
        link: 'https://ci.example.org/runs/77',
        notes: '',
      },
    });

    await userEvent.selectOptions(verdict, '');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Record evidence' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const second = calls.filter((c) => c.method === 'POST')[1];
    expect(second?.body).not.toHaveProperty('outcome');
  });

  it('records a manual sign-off as the signed-in user', async () => {
    const calls = await openEvidence(
      tom,
      api(evidenceList([]), {
        'POST /api/v1/changes/:id/evidence': () => signOff,
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Record evidence' }));
    const dialog = await screen.findByRole('dialog', { name: 'Record evidence on CHG-0007' });
    await userEvent.selectOptions(within(dialog).getByLabelText('Kind'), 'manual');
    expect(dialog.textContent).toContain('Signed off by you (Tom Berg)');
    await userEvent.selectOptions(within(dialog).getByLabelText('Verdict'), 'failed');
    await userEvent.type(
      within(dialog).getByLabelText('What was tested and observed'),
      'Login page returns 502.',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Record evidence' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
      kind: 'manual',
      outcome: 'failed',
      notes: 'Login page returns 502.',
    });
  });

  it('attaches a file as the raw request body with its name and media type', async () => {
    const content = '{"suite":"smoke-web","passed":41,"failed":0}';
    let received: { text: string; type: string | null; name: string | null } | undefined;
    const calls = await openEvidence(
      adminUser,
      api(evidenceList([automated]), {
        'POST /api/v1/changes/:id/evidence/:evidenceId/attachments': async (request) => {
          received = {
            text: await request.text(),
            type: request.headers.get('content-type'),
            name: new URL(request.url).searchParams.get('name'),
          };
          return new Response(JSON.stringify(automated.attachments[0]), {
            status: 201,
            headers: { 'content-type': 'application/json' },
          });
        },
      }),
    );
    const item = screen.getByRole('listitem', { name: '#1 smoke-web' });
    await userEvent.click(within(item).getByRole('button', { name: 'Attach a file' }));
    const dialog = await screen.findByRole('dialog', { name: 'Attach a file to #1 smoke-web' });
    const file = new File([content], 'results.json', { type: 'application/json' });
    await userEvent.upload(within(dialog).getByLabelText('File'), file);
    expect(dialog.textContent).toContain(`results.json: ${content.length} B, application/json`);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Attach' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(received).toEqual({ text: content, type: 'application/json', name: 'results.json' });
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.path).toBe(`/api/v1/changes/${changeId}/evidence/${automated.id}/attachments`);
    expect(post?.headers.get('x-csrf-token')).toBe('test-csrf-token');
    // The list is read again after the upload.
    expect(
      calls.filter((c) => c.method === 'GET' && c.path.endsWith('/evidence')).length,
    ).toBeGreaterThan(1);
  });

  it('refuses a file over the limit before sending it, and shows the server’s 413', async () => {
    const calls = await openEvidence(
      adminUser,
      api(evidenceList([automated], 2048), {
        'POST /api/v1/changes/:id/evidence/:evidenceId/attachments': () =>
          new Response(
            JSON.stringify({
              status: 413,
              title: 'Payload Too Large',
              code: 'payload_too_large',
              detail: "The file is larger than this route's limit of 2 KiB (2048 bytes)",
            }),
            { status: 413, headers: { 'content-type': 'application/problem+json' } },
          ),
      }),
    );
    const item = screen.getByRole('listitem', { name: '#1 smoke-web' });
    await userEvent.click(within(item).getByRole('button', { name: 'Attach a file' }));
    const dialog = await screen.findByRole('dialog', { name: 'Attach a file to #1 smoke-web' });
    const input = within(dialog).getByLabelText('File');
    await userEvent.upload(input, new File(['x'.repeat(3000)], 'big.log', { type: 'text/plain' }));
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(dialog.textContent).toContain("3.0 KB is larger than the server's limit of 2.0 KB");
    const attach = within(dialog).getByRole('button', { name: 'Attach' });
    expect((attach as HTMLButtonElement).disabled).toBe(true);
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    // Under the limit here, refused by the server all the same: its words are shown.
    await userEvent.upload(
      input,
      new File(['{"a":1}'], 'small.json', { type: 'application/json' }),
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Attach' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      "The file is larger than this route's limit of 2 KiB",
    );
    expect(screen.getByRole('dialog', { name: 'Attach a file to #1 smoke-web' })).toBeDefined();
  });

  it.each([
    [
      'an approver (no request or implement permission)',
      jonas,
      {},
      'Recording evidence needs the permission to request or implement changes.',
    ],
    [
      'anyone on a closed change',
      adminUser,
      { state: 'closed' as const },
      'A closed change takes no more evidence.',
    ],
  ])('disables recording and attaching for %s, saying why', async (_name, user, state, reason) => {
    await openEvidence(user, api(evidenceList([automated]), {}, state));
    const record = screen.getByRole('button', { name: 'Record evidence' });
    expect((record as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText(reason)).toBeDefined();
    const item = await screen.findByRole('listitem', { name: '#1 smoke-web' });
    expect(
      within(item).getByRole<HTMLButtonElement>('button', { name: 'Attach a file' }).disabled,
    ).toBe(true);
  });

  it('lets only who recorded evidence attach files to it', async () => {
    await openEvidence(tom, api(evidenceList([automated, signOff])));
    const admins = await screen.findByRole('listitem', { name: '#1 smoke-web' });
    const attachOthers = within(admins).getByRole('button', { name: 'Attach a file' });
    expect((attachOthers as HTMLButtonElement).disabled).toBe(true);
    expect(admins.textContent).toContain('Only Administrator, who recorded it, may attach files.');
    const own = screen.getByRole('listitem', { name: '#2 sign-off by Tom Berg' });
    expect(
      within(own).getByRole<HTMLButtonElement>('button', { name: 'Attach a file' }).disabled,
    ).toBe(false);
  });
});

describe('the export', () => {
  const verdict: ExportVerification = {
    ok: false,
    changeId,
    checks: [
      { name: 'digest', ok: false, detail: 'the document was altered after export' },
      { name: 'plan-version-hashes', ok: true, detail: '2 plan versions match their hashes' },
    ],
  };

  it('offers the export as a download named after the change', async () => {
    await openEvidence(jonas, api(evidenceList([])));
    const link = screen.getByRole('link', { name: 'Download export' });
    expect(link.getAttribute('href')).toBe(`/api/v1/changes/${changeId}/export`);
    expect(link.getAttribute('download')).toBe('CHG-0007-export.json');
  });

  it('sends a chosen export for verification and shows which checks failed', async () => {
    const document = {
      format: 'patchgate.change-export',
      formatVersion: 1,
      digest: 'f'.repeat(64),
    };
    const calls = await openEvidence(
      jonas,
      api(evidenceList([]), { 'POST /api/v1/changes/verify-export': () => verdict }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Verify an export' }));
    const dialog = await screen.findByRole('dialog', { name: 'Verify an export' });
    await userEvent.upload(
      within(dialog).getByLabelText('Export file'),
      new File([JSON.stringify(document)], 'CHG-0007-export.json', { type: 'application/json' }),
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Verify' }));
    const status = await within(dialog).findByRole('status');
    expect(status.textContent).toContain('Not verified: 1 of 2 checks failed: digest.');
    const rows = within(within(dialog).getByRole('table', { name: 'Checks' })).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual([
      'CheckResultDetail',
      'digestfailedthe document was altered after export',
      'plan-version-hashespassed2 plan versions match their hashes',
    ]);
    expect(calls.find((c) => c.method === 'POST')).toMatchObject({
      path: '/api/v1/changes/verify-export',
      body: document,
    });
  });

  it('says when the file is not JSON without sending it, and shows the server’s 422', async () => {
    const calls = await openEvidence(
      adminUser,
      api(evidenceList([]), {
        'POST /api/v1/changes/verify-export': () =>
          problem(422, 'body.format: Invalid input', [
            { field: 'body.format', message: 'Invalid input: expected "patchgate.change-export"' },
          ]),
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Verify an export' }));
    const dialog = await screen.findByRole('dialog', { name: 'Verify an export' });
    const input = within(dialog).getByLabelText('Export file');
    await userEvent.upload(input, new File(['not json at all'], 'notes.json'));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Verify' }));
    await waitFor(() => expect(dialog.textContent).toContain('notes.json is not a JSON document'));
    expect(calls.some((c) => c.method === 'POST')).toBe(false);

    await userEvent.upload(input, new File(['{"format":"other"}'], 'other.json'));
    await userEvent.click(within(dialog).getByRole('button', { name: 'Verify' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'body.format: Invalid input: expected "patchgate.change-export"',
    );
    expect(within(dialog).queryByRole('status')).toBeNull();
  });
});
