/**
 * Uploading an inventory for an asset (assets:write): `POST /api/v1/assets/{id}/inventory` takes
 * the file itself as the request body (an SBOM, a lockfile, a package manager's list, optionally
 * gzip-compressed), streamed from the file input without being read into the page. The format is
 * detected by the server unless one is chosen; the file's name helps that detection. The answer
 * is the new snapshot (packages, OS release, warnings); the packages that changed come from the
 * snapshot diff, and the asset's findings, reconciled in the background, are shown before and
 * after. The server's refusals (413 too large, 415, 422 unreadable) are shown as it words them.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import { rawBody } from '../../api/raw-body.ts';
import type { paths } from '../../api/client.ts';
import { $api, invalidatePaths } from '../../api/query.ts';
import { useSession } from '../../api/session.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Field, MutationError } from '../../ui/forms.tsx';
import { Facts } from '../../ui/page.tsx';
import { formatDateTime, formatNumber } from '../../ui/format.ts';
import type { Asset, FindingSummary } from './asset-types.ts';

type UploadQuery = NonNullable<
  paths['/api/v1/assets/{id}/inventory']['post']['parameters']['query']
>;
export type UploadedSnapshot =
  paths['/api/v1/assets/{id}/inventory']['post']['responses']['201']['content']['application/json'];

/** The formats an upload may be, as the server's parser registry lists them. */
export type InventoryFormat =
  paths['/api/v1/inventory/formats']['get']['responses']['200']['content']['application/json']['items'][number];

/** The formats by family, in the server's order (SBOMs, lockfiles, package lists). */
export function formatGroups(
  formats: readonly InventoryFormat[],
): { readonly label: string; readonly formats: readonly InventoryFormat[] }[] {
  const groups = new Map<string, InventoryFormat[]>();
  for (const format of formats) {
    const group = groups.get(format.familyLabel) ?? [];
    group.push(format);
    groups.set(format.familyLabel, group);
  }
  return [...groups].map(([label, members]) => ({ label, formats: members }));
}

/** The format whose file-name hints match the file's name (`*` patterns, path endings). */
export function formatByName(
  formats: readonly InventoryFormat[],
  fileName: string,
): InventoryFormat | undefined {
  const matches = (hint: string) => {
    const last = hint.slice(hint.lastIndexOf('/') + 1);
    const pattern = last
      .split('*')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    return new RegExp(`^${pattern}(\\.gz)?$`, 'i').test(fileName);
  };
  return formats.find((format) => format.fileNames.some(matches));
}

/** The media types the route declares; any other file type is sent as bytes. */
const declaredTypes = new Set([
  'text/plain',
  'application/octet-stream',
  'application/json',
  'application/xml',
  'text/xml',
  'application/gzip',
]);
export const uploadMediaType = (file: File): string =>
  declaredTypes.has(file.type)
    ? file.type
    : file.name.endsWith('.gz')
      ? 'application/gzip'
      : 'application/octet-stream';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${formatNumber(bytes)} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** `POST …/inventory` with the file as the raw body (the file streams; it is not read here). */
export function uploadInventory(
  assetId: string,
  file: File,
  query: UploadQuery,
): Promise<UploadedSnapshot> {
  return unwrap(
    api.POST('/api/v1/assets/{id}/inventory', {
      params: { path: { id: assetId }, query },
      ...rawBody(file, uploadMediaType(file)),
    }),
  );
}

const openOf = (summary: FindingSummary | undefined): number | undefined =>
  summary === undefined ? undefined : summary.byState.open + summary.byState.reopened;

/** The "Upload inventory" button and its dialog; nothing for a user without assets:write. */
export function UploadInventoryButton({ asset }: { readonly asset: Asset }) {
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  if (!can('assets:write')) return null;
  return (
    <>
      <button type="button" className="button button-primary" onClick={() => setOpen(true)}>
        Upload inventory
      </button>
      <Dialog
        open={open}
        title={`Upload an inventory for ${asset.name}`}
        onClose={() => setOpen(false)}
        wide
      >
        <UploadForm asset={asset} onClose={() => setOpen(false)} />
      </Dialog>
    </>
  );
}

function UploadForm({ asset, onClose }: { readonly asset: Asset; readonly onClose: () => void }) {
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | undefined>();
  const [format, setFormat] = useState('');
  const [takenAt, setTakenAt] = useState('');
  const [fileError, setFileError] = useState<string | undefined>();
  const [findingsBefore, setFindingsBefore] = useState<number | undefined>();
  const formats = $api.useQuery('get', '/api/v1/inventory/formats', {}, { staleTime: Infinity });
  const byName =
    file === undefined || formats.data === undefined
      ? undefined
      : formatByName(formats.data.items, file.name);
  const upload = useMutation({
    mutationFn: ({ file: chosen, query }: { file: File; query: UploadQuery }) =>
      uploadInventory(asset.id, chosen, query),
    onSuccess: async () => {
      await invalidatePaths(queryClient, ['/api/v1/assets', '/api/v1/findings']);
    },
  });

  const submit = async () => {
    if (file === undefined) {
      setFileError('Choose the inventory file to upload');
      return;
    }
    setFileError(undefined);
    if (can('findings:read')) {
      const before = await unwrap(
        api.GET('/api/v1/findings/summary', { params: { query: { asset: asset.id } } }),
      ).catch(() => undefined);
      setFindingsBefore(openOf(before));
    }
    upload.mutate({
      file,
      query: {
        name: file.name,
        ...(format !== '' && { format }),
        ...(takenAt !== '' && { takenAt: new Date(`${takenAt}Z`).toISOString() }),
      },
    });
  };

  if (upload.isSuccess && upload.data !== undefined)
    return (
      <UploadResult
        asset={asset}
        snapshot={upload.data}
        findingsBefore={findingsBefore}
        onAnother={() => {
          upload.reset();
          setFile(undefined);
        }}
        onClose={onClose}
      />
    );

  return (
    <form
      className="form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <p className="muted small">
        An SBOM (CycloneDX, SPDX), a lockfile (package-lock.json, requirements.txt, Cargo.lock…) or
        a package manager&rsquo;s list (<code>dpkg-query -W</code>, <code>rpm -qa</code>, apk),
        optionally gzip-compressed. It becomes the asset&rsquo;s current inventory.
      </p>
      <Field
        id="inventory-file"
        label="Inventory file"
        hint={
          file === undefined
            ? 'Its name helps the server recognise the format.'
            : `${file.name} · ${formatBytes(file.size)}`
        }
        error={fileError}
      >
        {(control) => (
          <input
            {...control}
            type="file"
            onChange={(event) => {
              setFile(event.target.files?.[0]);
              setFileError(undefined);
            }}
          />
        )}
      </Field>
      <Field
        id="inventory-format"
        label="Format"
        hint={
          formats.isError
            ? 'The list of formats could not be loaded; the server detects the format.'
            : byName !== undefined && format === ''
              ? `Its name suggests ${byName.label}; the server also reads the content.`
              : undefined
        }
      >
        {(control) => (
          <select {...control} value={format} onChange={(event) => setFormat(event.target.value)}>
            <option value="">Detect from the file</option>
            {formats.isPending && (
              <option value="" disabled>
                Loading the formats…
              </option>
            )}
            {formatGroups(formats.data?.items ?? []).map((group) => (
              <optgroup key={group.label} label={group.label}>
                {group.formats.map((known) => (
                  <option key={known.id} value={known.id}>
                    {known.label} ({known.id})
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        )}
      </Field>
      <Field
        id="inventory-taken-at"
        label="Taken at (UTC, optional)"
        hint="When the inventory was taken; now when empty."
      >
        {(control) => (
          <input
            {...control}
            type="datetime-local"
            value={takenAt}
            onChange={(event) => setTakenAt(event.target.value)}
          />
        )}
      </Field>
      <MutationError error={upload.error} />
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={upload.isPending}>
          {upload.isPending
            ? `Uploading${file === undefined ? '' : ` ${formatBytes(file.size)}`}…`
            : 'Upload'}
        </button>
      </div>
    </form>
  );
}

function UploadResult({
  asset,
  snapshot,
  findingsBefore,
  onAnother,
  onClose,
}: {
  readonly asset: Asset;
  readonly snapshot: UploadedSnapshot;
  readonly findingsBefore: number | undefined;
  readonly onAnother: () => void;
  readonly onClose: () => void;
}) {
  const { can } = useSession();
  const diff = $api.useQuery('get', '/api/v1/assets/{id}/snapshots/diff', {
    params: { path: { id: asset.id }, query: { to: snapshot.id } },
  });
  // Findings are reconciled by a background job after the upload: asked again for a while.
  const [since] = useState(() => Date.now());
  const findings = useQuery({
    queryKey: ['get', '/api/v1/findings/summary', { upload: snapshot.id }],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET('/api/v1/findings/summary', {
          params: { query: { asset: asset.id } },
          signal,
        }),
      ),
    enabled: can('findings:read'),
    refetchInterval: () => (Date.now() - since < 20_000 ? 2000 : false),
  });
  const after = openOf(findings.data);
  const delta = after !== undefined && findingsBefore !== undefined ? after - findingsBefore : 0;
  return (
    <div className="stack">
      <p role="status">
        <strong>
          Snapshot #{snapshot.seq} recorded: {formatNumber(snapshot.packageCount)} package
          {snapshot.packageCount === 1 ? '' : 's'}
        </strong>{' '}
        ({snapshot.format}, {formatBytes(snapshot.rawSize)}). It is now the current inventory.
      </p>
      <Facts
        items={[
          ['Format', <code key="f">{snapshot.format}</code>],
          ['File', snapshot.sourceName],
          ['Taken', formatDateTime(snapshot.takenAt)],
          [
            'OS release',
            snapshot.os === null
              ? 'none detected'
              : `${snapshot.os.ecosystem ?? snapshot.os.id} (${snapshot.os.evidence})`,
          ],
          [
            'Packages changed',
            diff.isPending
              ? '…'
              : diff.isError
                ? 'not available'
                : diff.data.from === null
                  ? `first inventory: ${formatNumber(diff.data.added.length)} added`
                  : `${formatNumber(diff.data.added.length)} added, ${formatNumber(diff.data.removed.length)} removed, ${formatNumber(diff.data.changed.length)} changed`,
          ],
          [
            'Open findings',
            !can('findings:read')
              ? 'not available to you'
              : after === undefined
                ? '…'
                : findingsBefore === undefined
                  ? formatNumber(after)
                  : `${formatNumber(findingsBefore)} → ${formatNumber(after)}${
                      delta === 0
                        ? ' (unchanged so far)'
                        : ` (${delta > 0 ? '+' : '−'}${Math.abs(delta)})`
                    }`,
          ],
          [
            'SHA-256',
            <code key="s" className="small break">
              {snapshot.rawSha256}
            </code>,
          ],
        ]}
      />
      {snapshot.warnings.length > 0 && (
        <div>
          <h3>
            {snapshot.warnings.length} warning{snapshot.warnings.length === 1 ? '' : 's'}
          </h3>
          <ul className="small">
            {snapshot.warnings.slice(0, 50).map((warning, index) => (
              <li key={index}>{warning}</li>
            ))}
          </ul>
        </div>
      )}
      <p className="muted small">
        Findings are matched again in the background; the count above follows for a few seconds.
      </p>
      <div className="form-actions">
        <button type="button" className="button" onClick={onAnother}>
          Upload another
        </button>
        <button type="button" className="button button-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </div>
  );
}
