/**
 * Loading, empty and error states, the same everywhere. `QueryState` renders the one that applies
 * to a query and the content only when there is data to show.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client.ts';

export function Loading({ label = 'Loading…' }: { readonly label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({
  title,
  children,
}: {
  readonly title: string;
  readonly children?: ReactNode;
}) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children !== undefined && <div className="state-body">{children}</div>}
    </div>
  );
}

export function ErrorState({
  error,
  title = 'This could not be loaded',
  onRetry,
}: {
  readonly error: unknown;
  readonly title?: string;
  readonly onRetry?: () => void;
}) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title}</p>
      <p>{errorMessage(error)}</p>
      {onRetry !== undefined && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/**
 * The state of `query`: a spinner while pending, the error with a retry, `empty` when `isEmpty`
 * says the data has nothing to show, else `children(data)`.
 */
export function QueryState<T>({
  query,
  isEmpty,
  empty,
  loadingLabel,
  children,
}: {
  readonly query: Pick<
    UseQueryResult<T, unknown>,
    'data' | 'error' | 'isPending' | 'isError' | 'refetch'
  >;
  readonly isEmpty?: (data: T) => boolean;
  readonly empty?: ReactNode;
  readonly loadingLabel?: string;
  readonly children: (data: T) => ReactNode;
}) {
  if (query.isPending)
    return <Loading {...(loadingLabel !== undefined && { label: loadingLabel })} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const data = query.data as T;
  if (isEmpty?.(data) === true) return <>{empty ?? <EmptyState title="Nothing here yet" />}</>;
  return <>{children(data)}</>;
}
