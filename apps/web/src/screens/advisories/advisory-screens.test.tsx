import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { AdvisoryDetailScreen } from './advisory-detail-screen.tsx';
import { AdvisoryListScreen } from './advisory-list-screen.tsx';
import type { AdvisoryDetail } from './osv-view.ts';
import { describeRange, severityOf } from './osv-view.ts';

const routes = [
  { path: '/advisories', element: <AdvisoryListScreen /> },
  { path: '/advisories/:advisoryId', element: <AdvisoryDetailScreen /> },
];

const curl = {
  id: 'DEBCL-curl-CVE-2023-38545',
  modified: '2023-10-05T21:31:47Z',
  published: '2023-10-05T21:31:47Z',
  withdrawn: null,
  summary: 'curl: CVE-2023-38545 fixed in 7.88.1-10+deb12u4',
  aliases: ['CVE-2023-38545'],
  cves: ['CVE-2023-38545'],
  sourceId: 'source-1',
};

const detail: AdvisoryDetail = {
  sourceId: 'source-1',
  advisory: {
    id: 'DEBCL-curl-CVE-2023-38545',
    summary: 'curl: SOCKS5 heap buffer overflow',
    details:
      'Heap overflow <img src=x onerror="window.__pwned=1"> in <script>alert(1)</script> **SOCKS5**',
    aliases: ['CVE-2023-38545'],
    modified: '2023-10-05T21:31:47Z',
    published: '2023-10-05T21:31:47Z',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'curl' },
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.88.1-10+deb12u4' }] },
        ],
        versions: [],
      },
    ],
    references: [
      { type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/CVE-2023-38545' },
      { type: 'WEB', url: 'javascript:alert(1)' },
    ],
  },
  facts: [
    {
      cve: 'CVE-2023-38545',
      kev: {
        source: 'CISA KEV',
        dateAdded: '2024-01-10',
        dueDate: '2024-01-31',
        knownRansomwareCampaignUse: 'Known',
        vendorProject: 'Haxx',
        product: 'curl',
      },
      epss: { source: 'FIRST EPSS', score: 0.2734, percentile: 0.968, scoreDate: '2026-12-01' },
      cvss: [
        {
          source: 'CVE 5 (CNA)',
          version: '3.1',
          vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
          statedBaseScore: 9.8,
          kind: 'cna',
        },
        { source: 'NVD', version: '2.0', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' },
      ],
      ssvc: {
        source: 'CISA ADP',
        exploitation: 'poc',
        automatable: 'yes',
        technicalImpact: 'total',
        role: 'CISA Coordinator',
      },
      cwes: ['CWE-787'],
    },
  ],
};

describe('AdvisoryListScreen', () => {
  withLaidOutElements({ clientWidth: 1000, offsetWidth: 1000 });

  it('sends the search as q, keeps it in the URL, and links each result', async () => {
    const calls = installFakeApi({
      'GET /api/v1/advisories': (_request, url) =>
        url.searchParams.get('q') === 'CVE-2023-38545'
          ? { advisories: [curl], nextAfter: null }
          : { advisories: [], nextAfter: null },
    });
    const { router } = renderWithApp(routes, { url: '/advisories' });
    await screen.findByText('No advisory is stored yet');
    const first = calls.find((call) => call.path === '/api/v1/advisories');
    expect(Object.fromEntries(new URLSearchParams(first?.search))).toEqual({ limit: '200' });
    await userEvent.type(screen.getByLabelText('ID or alias'), ' CVE-2023-38545 ');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    const link = await screen.findByRole('link', { name: 'DEBCL-curl-CVE-2023-38545' });
    expect(link.getAttribute('href')).toBe('/advisories/DEBCL-curl-CVE-2023-38545');
    expect(router.state.location.search).toBe('?q=CVE-2023-38545');
    const last = calls.filter((call) => call.path === '/api/v1/advisories').at(-1);
    expect(Object.fromEntries(new URLSearchParams(last?.search))).toEqual({
      q: 'CVE-2023-38545',
      limit: '200',
    });
  });

  it('searches by package with its ecosystem, and refuses a package without one', async () => {
    const calls = installFakeApi({
      'GET /api/v1/advisories': () => ({ advisories: [curl], nextAfter: null }),
    });
    const { router } = renderWithApp(routes, { url: '/advisories' });
    await screen.findByRole('table', { name: 'Advisories' });
    await userEvent.type(screen.getByLabelText('Package'), 'curl');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'A package search needs its ecosystem.',
    );
    await userEvent.type(screen.getByLabelText('Ecosystem'), 'Debian:12');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() =>
      expect(router.state.location.search).toBe('?ecosystem=Debian%3A12&package=curl'),
    );
    await waitFor(() => {
      const last = calls.filter((call) => call.path === '/api/v1/advisories').at(-1);
      expect(Object.fromEntries(new URLSearchParams(last?.search))).toEqual({
        ecosystem: 'Debian:12',
        package: 'curl',
        limit: '200',
      });
    });
  });
});

describe('AdvisoryDetailScreen', () => {
  it('renders KEV, EPSS, CVSS and SSVC, the details as text (never HTML), and safe links', async () => {
    const calls = installFakeApi({
      'GET /api/v1/advisories/:id': () => detail,
      'GET /api/v1/findings/summary': () => ({
        total: 2,
        byState: { open: 1, fixed: 1, reopened: 0 },
        byPriority: { P1: 1, P2: 0, P3: 0, P4: 0, P5: 0 },
        accepted: 0,
        triagedAway: 0,
        overdue: 1,
      }),
    });
    const { container } = renderWithApp(routes, {
      url: '/advisories/DEBCL-curl-CVE-2023-38545',
    });
    expect(
      await screen.findByRole('heading', { level: 1, name: 'DEBCL-curl-CVE-2023-38545' }),
    ).toBeDefined();
    // Details: the markup is shown as the text it is.
    const details = await screen.findByTestId('osv-details');
    expect(details.textContent).toBe(String(detail.advisory['details']));
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();

    // KEV
    expect(screen.getByText('Known exploited (KEV)')).toBeDefined();
    expect(screen.getByText('10 Jan 2024')).toBeDefined();
    expect(screen.getByText('31 Jan 2024')).toBeDefined();
    expect(screen.getByText('Known')).toBeDefined();
    // EPSS
    expect(screen.getByText('27.34 %')).toBeDefined();
    expect(screen.getByText('96.8 %')).toBeDefined();
    expect(screen.getByText('01 Dec 2026')).toBeDefined();
    // CVSS per source: the stated score and its severity; none stated: said so
    const cvss = screen.getByRole('table', { name: 'CVSS vectors of CVE-2023-38545 by source' });
    const rows = within(cvss).getAllByRole('row');
    expect(rows[1]?.textContent).toBe(
      'CVE 5 (CNA) (cna)3.19.8criticalCVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    );
    expect(rows[2]?.textContent).toBe('NVD2.0not stated—AV:N/AC:L/Au:N/C:P/I:P/A:P');
    // SSVC
    expect(screen.getByText('poc')).toBeDefined();
    expect(screen.getByText('yes')).toBeDefined();
    expect(screen.getByText('total')).toBeDefined();

    // The range in words; references: https as an external link, javascript: as text only.
    expect(screen.getByText('< 7.88.1-10+deb12u4 (fixed in 7.88.1-10+deb12u4)')).toBeDefined();
    const tracker = screen.getByRole('link', {
      name: 'https://security-tracker.debian.org/tracker/CVE-2023-38545',
    });
    expect(tracker.getAttribute('rel')).toBe('noopener noreferrer');
    expect(screen.queryByRole('link', { name: 'javascript:alert(1)' })).toBeNull();
    expect(screen.getByText('javascript:alert(1)')).toBeDefined();

    // Its findings, asked in parallel, with the link to the findings screen.
    expect(
      (await screen.findByRole('link', { name: 'Open these findings' })).getAttribute('href'),
    ).toBe('/findings?advisory=DEBCL-curl-CVE-2023-38545');
    const summary = calls.find((call) => call.path === '/api/v1/findings/summary');
    expect(new URLSearchParams(summary?.search).get('advisory')).toBe('DEBCL-curl-CVE-2023-38545');
  });

  it('says when the advisory is not stored', async () => {
    installFakeApi({ 'GET /api/v1/findings/summary': () => ({}) });
    renderWithApp(routes, { url: '/advisories/GHSA-none' });
    expect(await screen.findByText('No stored advisory has this id')).toBeDefined();
  });
});

describe('osv-view', () => {
  it.each([
    [
      [
        { kind: 'introduced', version: '0' },
        { kind: 'fixed', version: '1.2' },
      ],
      '< 1.2 (fixed in 1.2)',
    ],
    [
      [
        { kind: 'introduced', version: '1.0' },
        { kind: 'last_affected', version: '1.4' },
      ],
      '≥ 1.0, ≤ 1.4',
    ],
    [[{ kind: 'introduced', version: '2.0' }], '≥ 2.0 (no fix)'],
    [[{ kind: 'introduced', version: '0' }], 'every version'],
  ] as const)('describes the range %j as %s', (events, text) => {
    expect(describeRange({ type: 'ECOSYSTEM', events })).toBe(text);
  });

  it.each([
    [0, '3.1', 'none'],
    [3.9, '3.1', 'low'],
    [4, '3.1', 'medium'],
    [7, '3.1', 'high'],
    [9, '3.1', 'critical'],
    [10, '2.0', 'high'],
  ] as const)('rates %s (v%s) %s', (score, version, severity) => {
    expect(severityOf(score, version)).toBe(severity);
  });
});
