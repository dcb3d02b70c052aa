/**
 * Form scaffolding the screens share: a labelled `Field` (label, control, hint and error wired
 * together), a mutation's `MutationError`, the Cancel/Submit `FormActions`, a `Form` that ends with
 * both, and a `FormDialog` (a `Dialog` around such a form).
 */
import type { FormEvent, ReactNode } from 'react';
import { useId } from 'react';
import { errorMessage } from '../api/client.ts';
import { Dialog } from './dialog.tsx';

/** What `Field` gives its control: its id and, when there is a hint or an error, their ids. */
export interface FieldControlProps {
  readonly id: string;
  readonly 'aria-describedby'?: string;
  readonly 'aria-invalid'?: true;
}

/**
 * A labelled field: `children` renders the control with the props given (spread them on it), so
 * the label names it, and the hint and the error describe it.
 */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  /** The control's id; a generated one when absent. */
  readonly id?: string;
  readonly label: ReactNode;
  readonly hint?: ReactNode;
  readonly error?: ReactNode;
  readonly children: (control: FieldControlProps) => ReactNode;
}) {
  const generated = useId();
  const controlId = id ?? generated;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  const hasHint = hint !== undefined && hint !== null && hint !== false;
  const hasError = error !== undefined && error !== null && error !== false && error !== '';
  const describedBy = [hasHint ? hintId : undefined, hasError ? errorId : undefined]
    .filter((value) => value !== undefined)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={controlId}>{label}</label>
      {children({
        id: controlId,
        ...(describedBy !== '' && { 'aria-describedby': describedBy }),
        ...(hasError && { 'aria-invalid': true as const }),
      })}
      {hasHint && (
        <span id={hintId} className="field-hint">
          {hint}
        </span>
      )}
      {hasError && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** A mutation's failure in words (the server's 403/409/422 message and field problems). */
export function MutationError({ error }: { readonly error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <p className="form-error" role="alert">
      {errorMessage(error)}
    </p>
  );
}

export interface FormActionsProps {
  readonly onCancel: () => void;
  readonly submitLabel: ReactNode;
  /** While `busy`: the submit button's text (else it keeps `submitLabel`); it is disabled. */
  readonly busyLabel?: ReactNode;
  readonly busy?: boolean;
  /** Disable the submit button (an incomplete form). */
  readonly disabled?: boolean;
  readonly danger?: boolean;
}

/** Cancel, then the form's submit button. */
export function FormActions({
  onCancel,
  submitLabel,
  busyLabel,
  busy = false,
  disabled = false,
  danger = false,
}: FormActionsProps) {
  return (
    <div className="form-actions">
      <button type="button" className="button" onClick={onCancel}>
        Cancel
      </button>
      <button
        type="submit"
        className={danger ? 'button button-danger' : 'button button-primary'}
        disabled={busy || disabled}
      >
        {busy && busyLabel !== undefined ? busyLabel : submitLabel}
      </button>
    </div>
  );
}

export interface FormProps extends FormActionsProps {
  /** Called on submit (the browser's own submission is prevented). */
  readonly onSubmit: () => void;
  /** The mutation's error, shown above the actions. */
  readonly error?: unknown;
  readonly children: ReactNode;
}

/** A form: its fields, the error of its mutation, then Cancel and submit. */
export function Form({ onSubmit, error, children, ...actions }: FormProps) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form className="form" onSubmit={submit}>
      {children}
      <MutationError error={error} />
      <FormActions {...actions} />
    </form>
  );
}

/** A dialog holding a `Form`; Cancel closes it. */
export function FormDialog({
  open = true,
  title,
  wide = false,
  onClose,
  ...form
}: Omit<FormProps, 'onCancel'> & {
  readonly open?: boolean;
  readonly title: string;
  readonly wide?: boolean;
  readonly onClose: () => void;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose} wide={wide}>
      <Form {...form} onCancel={onClose} />
    </Dialog>
  );
}

/** A checkbox with its label after it, on one row. */
export function CheckboxRow({
  label,
  checked,
  onChange,
}: {
  readonly label: ReactNode;
  readonly checked: boolean;
  readonly onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="row">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(event) => onChange(event.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}
