/**
 * A confirmed action on a record: a row's "Delete…" (or Revoke, Reset…) asks in a
 * `ConfirmDialog`, then calls the API (`method` + `path`, typed from the OpenAPI document), shows
 * the server's refusal (403/409/422) in the dialog, and on success closes it and refreshes every
 * query under the `invalidate` path prefixes.
 *
 * - `useConfirmAction(method, path, { init, invalidate })` holds which record is being confirmed
 *   (`ask(record)`) and the mutation; `init(record, reason)` builds the request (path params,
 *   body — the reason goes where the API takes it).
 * - `<ConfirmActionDialog action={…} title={…} message={…} />` is the dialog of such an action
 *   (one per table, whichever row asked).
 * - `<ConfirmAction label="Delete…" …/>` is the button and its dialog together, for one record.
 */
import { useQueryClient } from '@tanstack/react-query';
import type { FetchResponse, MaybeOptionalInit } from 'openapi-fetch';
import type { HttpMethod, MediaType, PathsWithMethod } from 'openapi-typescript-helpers';
import type { ReactNode } from 'react';
import { useCallback, useState } from 'react';
import { errorMessage } from '../api/client.ts';
import type { paths } from '../api/client.ts';
import { $api, invalidatePaths } from '../api/query.ts';
import { ConfirmDialog } from './dialog.tsx';

type Init<M extends HttpMethod, P extends PathsWithMethod<paths, M>> = MaybeOptionalInit<
  paths[P],
  M
>;
/** What the server answers on success (as `$api.useMutation` types it). */
type Data<M extends HttpMethod, P extends PathsWithMethod<paths, M>> =
  paths[P][M] extends Record<string | number, unknown>
    ? Required<FetchResponse<paths[P][M], Init<M, P>, MediaType>>['data']
    : never;

export interface ConfirmActionOptions<
  T,
  M extends HttpMethod,
  P extends PathsWithMethod<paths, M>,
> {
  /** The request for `target` (path parameters, body); `reason` is '' unless the dialog asks. */
  readonly init: (target: T, reason: string) => Init<M, P>;
  /** Path prefixes whose queries are refetched after success (`/api/v1/calendar`). */
  readonly invalidate: readonly string[];
  /** After success, once the dialog has closed and the queries are refreshed. */
  readonly onSuccess?: (target: T, data: Data<M, P>) => void;
}

/** What `useConfirmAction` returns: the record asked about, and the mutation's state. */
export interface ConfirmActionState<T> {
  /** The record being confirmed; undefined while the dialog is closed. */
  readonly target: T | undefined;
  /** Open the dialog for `target` (a fresh one: no earlier error shown). */
  readonly ask: (target: T) => void;
  readonly close: () => void;
  readonly confirm: (reason: string) => void;
  readonly busy: boolean;
  readonly error: unknown;
}

export function useConfirmAction<T, M extends HttpMethod, P extends PathsWithMethod<paths, M>>(
  method: M,
  path: P,
  options: ConfirmActionOptions<T, M, P>,
): ConfirmActionState<T> {
  const queryClient = useQueryClient();
  const [target, setTarget] = useState<T | undefined>(undefined);
  const mutation = $api.useMutation(method, path);
  const { init, invalidate, onSuccess } = options;
  // Stable across renders (a table's memoised columns may hold `ask`).
  const { reset } = mutation;
  const ask = useCallback(
    (next: T) => {
      reset();
      setTarget(() => next);
    },
    [reset],
  );
  const close = useCallback(() => {
    setTarget(undefined);
    reset();
  }, [reset]);
  return {
    target,
    ask,
    close,
    confirm: (reason) => {
      if (target === undefined) return;
      mutation.mutate(init(target, reason), {
        onSuccess: (data: unknown) => {
          setTarget(undefined);
          // The same type, which TypeScript cannot see through the generic path.
          const answer = data as Data<M, P>;
          void invalidatePaths(queryClient, invalidate).then(() => onSuccess?.(target, answer));
        },
      });
    },
    busy: mutation.isPending,
    error: mutation.error,
  };
}

export interface ConfirmActionDialogProps<T> {
  readonly action: ConfirmActionState<T>;
  readonly title: (target: T) => string;
  readonly message: (target: T) => ReactNode;
  readonly confirmLabel: string;
  /** A destructive action (a red confirm button); default true. */
  readonly danger?: boolean;
  /** Ask for a reason: its label; `required` refuses an empty one. */
  readonly reason?: { readonly label: string; readonly required: boolean };
  /** The failure in words, where the screen knows better (default: the server's problem). */
  readonly describeError?: (error: unknown) => string;
}

/** The confirmation of a `useConfirmAction`, open while it has a target. */
export function ConfirmActionDialog<T>({
  action,
  title,
  message,
  confirmLabel,
  danger = true,
  reason,
  describeError = errorMessage,
}: ConfirmActionDialogProps<T>) {
  const { target } = action;
  return (
    <ConfirmDialog
      open={target !== undefined}
      title={target === undefined ? '' : title(target)}
      message={target === undefined ? null : message(target)}
      confirmLabel={confirmLabel}
      danger={danger}
      {...(reason !== undefined && { reason })}
      busy={action.busy}
      error={
        action.error !== null && action.error !== undefined
          ? describeError(action.error)
          : undefined
      }
      onConfirm={action.confirm}
      onClose={action.close}
    />
  );
}

export interface ConfirmActionProps<M extends HttpMethod, P extends PathsWithMethod<paths, M>> {
  readonly method: M;
  readonly path: P;
  /** The request (path parameters, body); `reason` is '' unless the dialog asks for one. */
  readonly init: (reason: string) => Init<M, P>;
  readonly invalidate: readonly string[];
  readonly onSuccess?: (data: Data<M, P>) => void;
  /** The button's text ("Delete…") and, when the text alone is ambiguous, its accessible name. */
  readonly label: ReactNode;
  readonly ariaLabel?: string;
  readonly buttonClassName?: string;
  /** Why the button is disabled, when it is (shown as its title). */
  readonly disabledReason?: string;
  readonly title: string;
  readonly message: ReactNode;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  readonly reason?: { readonly label: string; readonly required: boolean };
  readonly describeError?: (error: unknown) => string;
}

/** A button that asks in a dialog, then calls the API: one record's confirmed action. */
export function ConfirmAction<M extends HttpMethod, P extends PathsWithMethod<paths, M>>({
  method,
  path,
  init,
  invalidate,
  onSuccess,
  label,
  ariaLabel,
  buttonClassName = 'button button-small',
  disabledReason,
  title,
  message,
  confirmLabel,
  danger = true,
  reason,
  describeError,
}: ConfirmActionProps<M, P>) {
  const action = useConfirmAction(method, path, {
    init: (_: true, text: string) => init(text),
    invalidate,
    ...(onSuccess !== undefined && { onSuccess: (_: true, data: Data<M, P>) => onSuccess(data) }),
  });
  return (
    <>
      <button
        type="button"
        className={buttonClassName}
        aria-label={ariaLabel}
        disabled={disabledReason !== undefined}
        title={disabledReason}
        onClick={() => action.ask(true)}
      >
        {label}
      </button>
      <ConfirmActionDialog
        action={action}
        title={() => title}
        message={() => message}
        confirmLabel={confirmLabel}
        danger={danger}
        {...(reason !== undefined && { reason })}
        {...(describeError !== undefined && { describeError })}
      />
    </>
  );
}
