/** Pieces the administration screens share: the permission gate and the once-shown secret. */
import type { ReactNode } from 'react';
import { useState } from 'react';
import { useSession } from '../../api/session.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { PageHeader } from '../../ui/page.tsx';
import type { AdminSection } from './sections.ts';

/** The section's screen when the user may open it; otherwise what permission it needs. */
export function RequireSection({
  section,
  children,
}: {
  readonly section: AdminSection;
  readonly children: ReactNode;
}) {
  const { can } = useSession();
  if (section.permissions.some((permission) => can(permission))) return <>{children}</>;
  return <NotPermitted title={section.title} permissions={section.permissions} />;
}

export function NotPermitted({
  title,
  permissions,
}: {
  readonly title: string;
  readonly permissions: readonly string[];
}) {
  return (
    <>
      <PageHeader title={title} />
      <div className="state state-empty" role="alert">
        <p className="state-title">You do not have permission to open this screen.</p>
        <p>
          It needs the permission{' '}
          {permissions.map((permission, index) => (
            <span key={permission}>
              {index > 0 && ' or '}
              <code>{permission}</code>
            </span>
          ))}
          . An administrator can give you a role that has it.
        </p>
      </div>
    </>
  );
}

/**
 * A secret the server shows once (an API token, an enrolment token): displayed in this dialog
 * only, with a copy button; it lives in the caller's state until the dialog closes, never in
 * storage.
 */
export function SecretDialog({
  title,
  secret,
  children,
  onClose,
}: {
  readonly title: string;
  readonly secret: string | undefined;
  readonly children?: ReactNode;
  readonly onClose: () => void;
}) {
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  const close = () => {
    setCopied(undefined);
    onClose();
  };
  return (
    <Dialog open={secret !== undefined} title={title} onClose={close}>
      <div className="form">
        <p>
          <strong>Copy it now: it is shown this once.</strong> Patchgate keeps only a hash of it;
          once this dialog is closed nobody can see it again.
        </p>
        {children}
        <div className="field">
          <label htmlFor="secret-value">Secret</label>
          <div className="secret-row">
            <input
              id="secret-value"
              className="mono secret-value"
              readOnly
              value={secret ?? ''}
              onFocus={(event) => event.target.select()}
            />
            <button
              type="button"
              className="button"
              onClick={() => {
                navigator.clipboard.writeText(secret ?? '').then(
                  () => setCopied('yes'),
                  () => setCopied('failed'),
                );
              }}
            >
              Copy
            </button>
          </div>
          <span className="field-hint" role="status">
            {copied === 'yes'
              ? 'Copied to the clipboard.'
              : copied === 'failed'
                ? 'The browser refused the clipboard: select the text and copy it.'
                : ''}
          </span>
        </div>
        <div className="form-actions">
          <button type="button" className="button button-primary" onClick={close}>
            I have copied it
          </button>
        </div>
      </div>
    </Dialog>
  );
}

/** Checkboxes for a set of values (roles, scopes, events), in a labelled fieldset. */
export function CheckboxGroup<V extends string>({
  legend,
  options,
  value,
  onChange,
  describe,
  columns = 1,
}: {
  readonly legend: string;
  readonly options: readonly V[];
  readonly value: readonly V[];
  readonly onChange: (value: V[]) => void;
  readonly describe?: (option: V) => ReactNode;
  readonly columns?: number;
}) {
  return (
    <fieldset className="field checkbox-group">
      <legend>{legend}</legend>
      <div className={columns > 1 ? 'checkbox-grid' : 'checkbox-list'}>
        {options.map((option) => (
          <label key={option} className="checkbox">
            <input
              type="checkbox"
              checked={value.includes(option)}
              onChange={(event) =>
                onChange(
                  event.target.checked
                    ? [...value, option]
                    : value.filter((item) => item !== option),
                )
              }
            />
            <span>
              <span className="checkbox-label">{option}</span>
              {describe !== undefined && (
                <span className="field-hint checkbox-hint">{describe(option)}</span>
              )}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
