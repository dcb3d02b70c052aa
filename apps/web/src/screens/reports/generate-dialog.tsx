/**
 * Generate a report (POST /api/v1/reports): its type (from GET /report-types, with what each
 * needs), the format the type offers, a period and scope or a change, and optionally the instant
 * the data is taken as of. The server answers 202 with the run; the caller follows it.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { $api, invalidatePaths } from '../../api/query.ts';
import { CheckboxRow, Field, FormDialog } from '../../ui/forms.tsx';
import { ErrorState, Loading } from '../../ui/states.tsx';
import { lastDays } from './period.ts';
import type { ReportRun } from './types.ts';

export function GenerateDialog({
  onClose,
  onStarted,
  initial,
}: {
  readonly onClose: () => void;
  readonly onStarted: (run: ReportRun) => void;
  readonly initial?: { from?: string; to?: string; type?: string };
}) {
  const queryClient = useQueryClient();
  const types = $api.useQuery('get', '/api/v1/report-types');
  const defaults = lastDays(90);
  const [type, setType] = useState(initial?.type ?? '');
  const [format, setFormat] = useState('');
  const [from, setFrom] = useState(initial?.from ?? defaults.from);
  const [to, setTo] = useState(initial?.to ?? defaults.to);
  const [team, setTeam] = useState('');
  const [environment, setEnvironment] = useState('');
  const [assetGroup, setAssetGroup] = useState('');
  const [change, setChange] = useState('');
  const [asOf, setAsOf] = useState('');
  /** A type whose period is optional (POA&M, BOD 26-04): the status as of the data, no period. */
  const [statusOnly, setStatusOnly] = useState(false);
  const mutation = $api.useMutation('post', '/api/v1/reports', {
    onSuccess: async (run) => {
      await invalidatePaths(queryClient, ['/api/v1/reports']);
      onStarted(run);
    },
  });
  const list = types.data?.types ?? [];
  const chosen = list.find((t) => t.type === type) ?? list[0];
  const formats: readonly string[] = chosen?.formats ?? [];
  const chosenFormat = (formats.includes(format) ? format : formats[0]) as
    ReportRun['format'] | undefined;
  const withoutPeriod = statusOnly && chosen?.periodRequired === false;
  const submit = () => {
    if (chosen === undefined || chosenFormat === undefined) return;
    const scope = {
      ...(team.trim() !== '' && { team: team.trim() }),
      ...(environment.trim() !== '' && { environment: environment.trim() }),
      ...(assetGroup.trim() !== '' && { assetGroup: assetGroup.trim() }),
    };
    mutation.mutate({
      body: {
        type: chosen.type,
        format: chosenFormat,
        ...(chosen.needs === 'period'
          ? {
              ...(!withoutPeriod && { period: { from, to } }),
              ...(Object.keys(scope).length > 0 && { scope }),
            }
          : { change: change.trim() }),
        ...(asOf !== '' && { dataAsOf: `${asOf}:00Z` }),
      },
    });
  };
  return (
    <FormDialog
      title="Generate a report"
      onClose={onClose}
      onSubmit={submit}
      error={mutation.error}
      submitLabel="Generate"
      busyLabel="Starting…"
      busy={mutation.isPending}
      disabled={chosen === undefined || (chosen.needs === 'change' && change.trim() === '')}
      wide
    >
      {types.isPending ? (
        <Loading label="Loading the report types…" />
      ) : types.isError ? (
        <ErrorState error={types.error} title="The report types could not be loaded" />
      ) : (
        <>
          <Field label="Report type" hint={chosen?.description}>
            {(control) => (
              <select
                {...control}
                value={chosen?.type ?? ''}
                onChange={(e) => setType(e.target.value)}
              >
                {list.map((t) => (
                  <option key={t.type} value={t.type}>
                    {t.title}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Format">
            {(control) => (
              <select
                {...control}
                value={chosenFormat ?? ''}
                onChange={(e) => setFormat(e.target.value)}
              >
                {formats.map((f) => (
                  <option key={f} value={f}>
                    {f.toUpperCase()}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {chosen?.needs === 'change' ? (
            <Field label="Change" hint="Its number (CHG-0001) or id.">
              {(control) => (
                <input
                  {...control}
                  required
                  value={change}
                  onChange={(e) => setChange(e.target.value)}
                />
              )}
            </Field>
          ) : (
            <>
              {chosen?.periodRequired === false && (
                <CheckboxRow
                  label="No period: the status as of the data (every open item)"
                  checked={statusOnly}
                  onChange={setStatusOnly}
                />
              )}
              {!withoutPeriod && (
                <div className="reports-form-row">
                  <Field label="Period from">
                    {(control) => (
                      <input
                        {...control}
                        type="date"
                        required
                        value={from}
                        onChange={(e) => setFrom(e.target.value)}
                      />
                    )}
                  </Field>
                  <Field label="Period to">
                    {(control) => (
                      <input
                        {...control}
                        type="date"
                        required
                        value={to}
                        onChange={(e) => setTo(e.target.value)}
                      />
                    )}
                  </Field>
                </div>
              )}
              <div className="reports-form-row">
                <Field label="Team (optional)">
                  {(control) => (
                    <input {...control} value={team} onChange={(e) => setTeam(e.target.value)} />
                  )}
                </Field>
                <Field label="Environment (optional)">
                  {(control) => (
                    <input
                      {...control}
                      value={environment}
                      onChange={(e) => setEnvironment(e.target.value)}
                    />
                  )}
                </Field>
                <Field label="Asset group (optional)">
                  {(control) => (
                    <input
                      {...control}
                      value={assetGroup}
                      onChange={(e) => setAssetGroup(e.target.value)}
                    />
                  )}
                </Field>
              </div>
            </>
          )}
          <Field
            label="Data as of (UTC, optional)"
            hint="Empty: now. The report records it, so regenerating gives the same figures."
          >
            {(control) => (
              <input
                {...control}
                type="datetime-local"
                value={asOf}
                onChange={(e) => setAsOf(e.target.value)}
              />
            )}
          </Field>
        </>
      )}
    </FormDialog>
  );
}
