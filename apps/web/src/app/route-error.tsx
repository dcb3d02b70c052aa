/** What a wrong URL or a screen that failed to load shows (never a blank page). */
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { PageHeader } from '../ui/page.tsx';

export function NotFoundScreen() {
  return (
    <>
      <PageHeader title="Page not found" description="No screen of Patchgate has this address." />
      <p>
        <Link to="/">Go to the dashboard</Link>
      </p>
    </>
  );
}

export function RouteErrorScreen() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : String(error);
  // A new release replaced the chunk this page wanted: a reload fetches the current ones.
  const stale = /dynamically imported module|Importing a module script failed/i.test(message);
  return (
    <main id="main" className="content">
      <PageHeader title="Something went wrong" />
      <div className="state state-error" role="alert">
        <p>{stale ? 'Patchgate was updated since this page was opened.' : message}</p>
        <button type="button" className="button" onClick={() => window.location.reload()}>
          Reload the page
        </button>
      </div>
    </main>
  );
}
