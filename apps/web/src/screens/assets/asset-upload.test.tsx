import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { SessionUser } from '../../api/session.tsx';
import type { FakeApi } from '../../test-support/render.tsx';
import { adminUser, installFakeApi, renderWithApp } from '../../test-support/render.tsx';
import { withLaidOutElements } from '../../test-support/layout.ts';
import { AssetDetailScreen } from './asset-detail-screen.tsx';
import type { Asset, Snapshot } from './asset-types.ts';
import type { InventoryFormat, UploadedSnapshot } from './asset-upload.tsx';
import { formatByName, uploadMediaType } from './asset-upload.tsx';

const s1 = '11111111-1111-4111-8111-111111111111';
const s2 = '22222222-2222-4222-8222-222222222222';

const asset: Asset = {
  id: 'asset-app-01',
  name: 'app-01',
  kind: 'application',
  osRelease: null,
  environment: 'test',
  criticality: 'low',
  exposure: 'internal',
  owner: null,
  tags: [],
  groups: [],
  maintenanceWindow: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-05T10:00:00.000Z',
  currentSnapshot: {
    id: s1,
    takenAt: '2026-12-01T09:00:00.000Z',
    format: 'npm-package-lock',
    packageCount: 1,
  },
};

const uploaded: UploadedSnapshot = {
  id: s2,
  seq: 2,
  takenAt: '2026-12-06T08:00:00.000Z',
  uploadedAt: '2026-12-06T08:00:01.000Z',
  format: 'cyclonedx-json',
  sourceName: 'bom.json',
  os: null,
  packageCount: 2,
  warnings: ['component 3 has no version'],
  packagesPruned: false,
  rawSize: 2048,
  rawSha256: 'f'.repeat(64),
};

const summary = (open: number) => ({
  total: open,
  byState: { open, fixed: 0, reopened: 0 },
  byPriority: { P1: open, P2: 0, P3: 0, P4: 0, P5: 0 },
  accepted: 0,
  triagedAway: 0,
  overdue: 0,
});

const bom = JSON.stringify({
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  components: [
    { type: 'library', name: 'lodash', version: '4.17.21', purl: 'pkg:npm/lodash@4.17.21' },
    { type: 'library', name: 'left-pad', version: '1.3.0', purl: 'pkg:npm/left-pad@1.3.0' },
  ],
});

/** What GET /api/v1/inventory/formats answers (a part of the registry, in its order). */
const formats: InventoryFormat[] = [
  {
    id: 'cyclonedx-json',
    label: 'CycloneDX SBOM (JSON)',
    family: 'sbom',
    familyLabel: 'SBOM',
    mediaTypes: ['application/vnd.cyclonedx+json', 'application/json'],
    fileNames: ['*.cdx.json', '*.bom.json', 'bom.json'],
    specUrls: ['https://cyclonedx.org/docs/1.6/json/'],
  },
  {
    id: 'npm-package-lock',
    label: 'npm package-lock.json (v1, v2, v3)',
    family: 'lockfile',
    familyLabel: 'Lockfile',
    mediaTypes: ['application/json'],
    fileNames: ['package-lock.json', 'npm-shrinkwrap.json'],
    specUrls: ['https://docs.npmjs.com/cli/configuring-npm/package-lock-json'],
  },
  {
    id: 'dpkg-status',
    label: 'dpkg status database (/var/lib/dpkg/status)',
    family: 'package-list',
    familyLabel: 'Package list',
    mediaTypes: ['text/plain'],
    fileNames: ['var/lib/dpkg/status', 'dpkg-status'],
    specUrls: ['https://man7.org/linux/man-pages/man1/dpkg-query.1.html'],
  },
];

function fakeApi(upload: FakeApi[string]): FakeApi {
  let uploadedYet = false;
  return {
    'GET /api/v1/inventory/formats': () => ({ items: formats }),
    'GET /api/v1/assets/:id': () => asset,
    'GET /api/v1/findings/summary': () => summary(uploadedYet ? 5 : 3),
    'GET /api/v1/agents': () => ({ agents: [] }),
    'GET /api/v1/calendar/windows': () => ({ windows: [] }),
    'GET /api/v1/calendar': () => ({
      from: '2026-11-01T00:00:00Z',
      to: '2027-02-01T00:00:00Z',
      windows: [],
      freezes: [],
      changes: [],
      truncated: false,
    }),
    'POST /api/v1/assets/:id/inventory': async (request, url) => {
      const answer = await upload(request, url);
      if (answer instanceof Response && answer.status === 201) uploadedYet = true;
      return answer;
    },
    'GET /api/v1/assets/:id/snapshots/diff': () => ({
      from: s1,
      to: s2,
      added: [{ ecosystem: 'npm', name: 'left-pad', version: '1.3.0' }],
      removed: [],
      changed: [
        { ecosystem: 'npm', name: 'lodash', from: '4.17.20', to: '4.17.21', direction: 'upgraded' },
      ],
    }),
  };
}

const routes = [{ path: '/assets/:assetId', element: <AssetDetailScreen /> }];

describe('uploading an inventory from the asset detail', () => {
  withLaidOutElements({ clientWidth: 1000, offsetWidth: 1000 });

  it('sends the file itself as the body with its name, and shows the snapshot, the packages and the findings that changed', async () => {
    const received: { body: string; type: string | null; search: string }[] = [];
    const calls = installFakeApi(
      fakeApi(async (request, url) => {
        received.push({
          body: await request.text(),
          type: request.headers.get('content-type'),
          search: url.search,
        });
        return new Response(JSON.stringify(uploaded), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        });
      }),
    );
    renderWithApp(routes, { url: '/assets/app-01' });
    await userEvent.click(await screen.findByRole('button', { name: 'Upload inventory' }));
    const dialog = await screen.findByRole('dialog', { name: 'Upload an inventory for app-01' });

    // No file: said beside the field, nothing sent.
    await userEvent.click(within(dialog).getByRole('button', { name: 'Upload' }));
    expect(within(dialog).getByText('Choose the inventory file to upload')).toBeDefined();
    expect(received).toHaveLength(0);

    const file = new File([bom], 'bom.json', { type: 'application/json' });
    await userEvent.upload(within(dialog).getByLabelText('Inventory file'), file);
    expect(within(dialog).getByText(/bom\.json · /)).toBeDefined();
    // The formats are the server's, grouped by family, named in words with their id.
    const select = within(dialog).getByLabelText<HTMLSelectElement>('Format');
    await within(select).findByRole('option', { name: 'CycloneDX SBOM (JSON) (cyclonedx-json)' });
    expect(
      [...select.querySelectorAll('optgroup')].map((group) => [
        group.label,
        [...group.querySelectorAll('option')].map((option) => option.value),
      ]),
    ).toEqual([
      ['SBOM', ['cyclonedx-json']],
      ['Lockfile', ['npm-package-lock']],
      ['Package list', ['dpkg-status']],
    ]);
    // The file's name matches a format's hints: said while the format is left to detection.
    expect(
      within(dialog).getByText(
        'Its name suggests CycloneDX SBOM (JSON); the server also reads the content.',
      ),
    ).toBeDefined();
    await userEvent.selectOptions(select, 'cyclonedx-json');
    await userEvent.type(
      within(dialog).getByLabelText('Taken at (UTC, optional)'),
      '2026-12-06T08:00',
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Upload' }));

    await within(dialog).findByText('Snapshot #2 recorded: 2 packages');
    expect(received).toHaveLength(1);
    expect(received[0]?.body).toBe(bom);
    expect(received[0]?.type).toBe('application/json');
    const query = new URLSearchParams(received[0]?.search);
    expect(query.get('name')).toBe('bom.json');
    expect(query.get('format')).toBe('cyclonedx-json');
    expect(query.get('takenAt')).toBe('2026-12-06T08:00:00.000Z');
    const upload = calls.find((call) => call.method === 'POST');
    expect(upload?.path).toBe('/api/v1/assets/asset-app-01/inventory');
    expect(upload?.headers.get('x-csrf-token')).toBe('test-csrf-token');

    // The diff against the one before, asked for the new snapshot.
    await within(dialog).findByText('1 added, 0 removed, 1 changed');
    expect(calls.find((call) => call.path.endsWith('/snapshots/diff'))?.search).toBe(`?to=${s2}`);
    // Findings before the upload (3) and after (5).
    await within(dialog).findByText('3 → 5 (+2)');
    expect(within(dialog).getByText('component 3 has no version')).toBeDefined();
  });

  it('shows the server’s refusal of an unreadable file (422 with its field) and keeps the form', async () => {
    installFakeApi(
      fakeApi(
        () =>
          new Response(
            JSON.stringify({
              status: 422,
              title: 'Unprocessable Entity',
              code: 'validation_failed',
              detail: 'body: no inventory format recognises this file',
              errors: [{ field: 'body', message: 'try ?format=' }],
            }),
            { status: 422, headers: { 'content-type': 'application/problem+json' } },
          ),
      ),
    );
    renderWithApp(routes, { url: '/assets/app-01' });
    await userEvent.click(await screen.findByRole('button', { name: 'Upload inventory' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.upload(
      within(dialog).getByLabelText('Inventory file'),
      new File(['{"hello": "world"}'], 'notes.json', { type: 'application/json' }),
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Upload' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toBe(
      'body: no inventory format recognises this file — body: try ?format=',
    );
    expect(within(dialog).getByRole('button', { name: 'Upload' })).toBeDefined();
  });

  it('offers no upload without assets:write; every snapshot links its raw file', async () => {
    const approver: SessionUser = {
      ...adminUser,
      roles: ['approver'],
      permissions: adminUser.permissions.filter((permission) => permission !== 'assets:write'),
    };
    const snapshot: Snapshot = {
      ...uploaded,
      id: s1,
      seq: 1,
      sourceName: 'package-lock.json',
      rawSize: 3 * 1024 * 1024,
      packagesPruned: true,
    };
    installFakeApi(
      {
        ...fakeApi(() => undefined),
        'GET /api/v1/assets/:id/snapshots': () => ({ snapshots: [snapshot], nextBeforeSeq: null }),
      },
      approver,
    );
    renderWithApp(routes, { url: '/assets/app-01?tab=snapshots' });
    const link = await screen.findByRole('link', {
      name: 'Download the file of snapshot 1 (package-lock.json, 3.0 MiB)',
    });
    expect(link.getAttribute('href')).toBe(`/api/v1/assets/asset-app-01/snapshots/${s1}/raw`);
    expect(link.getAttribute('download')).toBe('package-lock.json');
    expect(screen.queryByRole('button', { name: 'Upload inventory' })).toBeNull();
  });

  it('an asset without inventory points to the upload, or says who can upload', async () => {
    const empty = { ...asset, currentSnapshot: null };
    installFakeApi({ ...fakeApi(() => undefined), 'GET /api/v1/assets/:id': () => empty });
    const first = renderWithApp(routes, { url: '/assets/app-01?tab=inventory' });
    await screen.findByText('No inventory yet');
    expect(screen.getByText(/above \(an SBOM, a lockfile or a package list\)/)).toBeDefined();
    first.unmount();
    installFakeApi(
      { ...fakeApi(() => undefined), 'GET /api/v1/assets/:id': () => empty },
      {
        ...adminUser,
        permissions: adminUser.permissions.filter((permission) => permission !== 'assets:write'),
      },
    );
    renderWithApp(routes, { url: '/assets/app-01?tab=inventory' });
    await screen.findByText('No inventory yet');
    expect(screen.getByText(/permission uploads\s+one/)).toBeDefined();
    expect(screen.queryByRole('button', { name: 'Upload inventory' })).toBeNull();
  });

  it('still uploads, the format left to detection, when the formats cannot be listed', async () => {
    const received: string[] = [];
    installFakeApi({
      ...fakeApi(async (request) => {
        received.push(await request.text());
        return new Response(JSON.stringify(uploaded), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        });
      }),
      'GET /api/v1/inventory/formats': () =>
        new Response(JSON.stringify({ status: 500, title: 'Internal Server Error' }), {
          status: 500,
          headers: { 'content-type': 'application/problem+json' },
        }),
    });
    renderWithApp(routes, { url: '/assets/app-01' });
    await userEvent.click(await screen.findByRole('button', { name: 'Upload inventory' }));
    const dialog = await screen.findByRole('dialog');
    await within(dialog).findByText(
      'The list of formats could not be loaded; the server detects the format.',
    );
    const select = within(dialog).getByLabelText<HTMLSelectElement>('Format');
    expect([...select.options].map((option) => option.textContent)).toEqual([
      'Detect from the file',
    ]);
    await userEvent.upload(
      within(dialog).getByLabelText('Inventory file'),
      new File([bom], 'bom.json', { type: 'application/json' }),
    );
    await userEvent.click(within(dialog).getByRole('button', { name: 'Upload' }));
    await within(dialog).findByText('Snapshot #2 recorded: 2 packages');
    expect(received).toEqual([bom]);
  });

  it('recognises a file by the names the registry gives (patterns, path endings, gzip)', () => {
    expect(formatByName(formats, 'app.cdx.json')?.id).toBe('cyclonedx-json');
    expect(formatByName(formats, 'package-lock.json')?.id).toBe('npm-package-lock');
    // A browser gives the name only: a path ending is matched by its last part.
    expect(formatByName(formats, 'status')?.id).toBe('dpkg-status');
    expect(formatByName(formats, 'my-status')).toBeUndefined();
    expect(formatByName(formats, 'dpkg-status.gz')?.id).toBe('dpkg-status');
    expect(formatByName(formats, 'notes.txt')).toBeUndefined();
  });

  it('sends a type the route declares: gzip by name, unknown types as bytes', () => {
    expect(uploadMediaType(new File(['x'], 'status.gz', { type: '' }))).toBe('application/gzip');
    expect(uploadMediaType(new File(['x'], 'Cargo.lock', { type: '' }))).toBe(
      'application/octet-stream',
    );
    expect(uploadMediaType(new File(['x'], 'bom.xml', { type: 'text/xml' }))).toBe('text/xml');
  });
});
