/**
 * Modal dialogs on the native <dialog> (focus moves in and is kept there, Escape closes, the
 * page behind is inert). `ConfirmDialog` asks before a consequential action and can require a
 * reason.
 */
import type { FormEvent, ReactNode } from 'react';
import { useEffect, useId, useRef, useState } from 'react';

export function Dialog({
  open,
  title,
  onClose,
  children,
  wide = false,
}: {
  readonly open: boolean;
  readonly title: string;
  readonly onClose: () => void;
  readonly children: ReactNode;
  readonly wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <div className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button
              type="button"
              className="button button-ghost"
              aria-label="Close"
              onClick={onClose}
            >
              ×
            </button>
          </div>
          <div className="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}

export interface ConfirmDialogProps {
  readonly open: boolean;
  readonly title: string;
  readonly message: ReactNode;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  /** Ask for a reason (a comment): its label; `required` refuses an empty one. */
  readonly reason?: { readonly label: string; readonly required: boolean };
  readonly busy?: boolean;
  readonly error?: ReactNode;
  readonly onConfirm: (reason: string) => void;
  readonly onClose: () => void;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  // The form mounts with the dialog's content each time it opens: a fresh, empty reason.
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose}>
      <ConfirmForm {...props} />
    </Dialog>
  );
}

function ConfirmForm({
  message,
  confirmLabel,
  danger = false,
  reason,
  busy = false,
  error,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const [text, setText] = useState('');
  const reasonId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onConfirm(text.trim());
  };
  return (
    <form onSubmit={submit} className="form">
      <div>{message}</div>
      {reason !== undefined && (
        <div className="field">
          <label htmlFor={reasonId}>{reason.label}</label>
          <textarea
            id={reasonId}
            value={text}
            required={reason.required}
            rows={3}
            onChange={(event) => setText(event.target.value)}
          />
        </div>
      )}
      {error !== undefined && error !== null && error !== false && (
        <div className="form-error" role="alert">
          {error}
        </div>
      )}
      <div className="form-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className={danger ? 'button button-danger' : 'button button-primary'}
          disabled={busy || (reason?.required === true && text.trim() === '')}
        >
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </form>
  );
}
