/**
 * A small button in a table row ("Edit", "Delete", "Revoke"): its visible text is short, so its
 * accessible name says what it acts on ("Delete subscription cab-weekly").
 */
import type { ReactNode } from 'react';

export function RowButton({
  name,
  onClick,
  danger = false,
  children,
}: {
  /** The accessible name: the action and the row's subject. */
  readonly name: string;
  readonly onClick: () => void;
  /** A destructive action (it still asks before acting). */
  readonly danger?: boolean;
  readonly children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={danger ? 'button button-small button-danger' : 'button button-small'}
      aria-label={name}
      onClick={onClick}
    >
      {children}
    </button>
  );
}
