/**
 * Every URL of the UI. Each screen is its own chunk (loaded when first opened), so the initial
 * JavaScript is the shell only. The login page is public; everything else needs a session and
 * sends a logged-out visitor to /login?next=<where they were going>.
 */
import type { RouteObject } from 'react-router';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../api/session.tsx';
import { LoginScreen } from '../screens/login-screen.tsx';
import { Loading } from '../ui/states.tsx';
import { AppLayout } from './layout.tsx';
import { NotFoundScreen, RouteErrorScreen } from './route-error.tsx';

function RequireSession() {
  const { user } = useSession();
  const location = useLocation();
  if (user === undefined) return <Loading label="Checking your session…" />;
  if (user === null) {
    const next = `${location.pathname}${location.search}`;
    return (
      <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />
    );
  }
  return <Outlet />;
}

/** `lazy` for a screen module's named export. */
const screen =
  <M,>(load: () => Promise<M>, name: keyof M) =>
  async () => ({ Component: (await load())[name] as React.ComponentType });

export const routes: RouteObject[] = [
  { path: '/login', element: <LoginScreen />, errorElement: <RouteErrorScreen /> },
  {
    element: <RequireSession />,
    errorElement: <RouteErrorScreen />,
    children: [
      {
        element: <AppLayout />,
        children: [
          {
            index: true,
            lazy: screen(
              () => import('../screens/dashboard/dashboard-screen.tsx'),
              'DashboardScreen',
            ),
          },
          {
            path: 'assets',
            lazy: screen(
              () => import('../screens/assets/asset-list-screen.tsx'),
              'AssetListScreen',
            ),
          },
          {
            path: 'assets/:assetId',
            lazy: screen(
              () => import('../screens/assets/asset-detail-screen.tsx'),
              'AssetDetailScreen',
            ),
          },
          {
            path: 'findings',
            lazy: screen(() => import('../screens/findings/findings-screen.tsx'), 'FindingsScreen'),
          },
          {
            path: 'findings/:findingId',
            lazy: screen(
              () => import('../screens/findings/finding-detail-screen.tsx'),
              'FindingDetailScreen',
            ),
          },
          {
            path: 'exceptions',
            lazy: screen(
              () => import('../screens/findings/exceptions-screen.tsx'),
              'ExceptionsScreen',
            ),
          },
          {
            path: 'advisories',
            lazy: screen(
              () => import('../screens/advisories/advisory-list-screen.tsx'),
              'AdvisoryListScreen',
            ),
          },
          {
            path: 'advisories/:advisoryId',
            lazy: screen(
              () => import('../screens/advisories/advisory-detail-screen.tsx'),
              'AdvisoryDetailScreen',
            ),
          },
          {
            path: 'changes',
            lazy: screen(
              () => import('../screens/changes/change-list-screen.tsx'),
              'ChangeListScreen',
            ),
          },
          {
            path: 'changes/new',
            lazy: screen(
              () => import('../screens/changes/change-new-screen.tsx'),
              'ChangeNewScreen',
            ),
          },
          {
            path: 'changes/templates',
            lazy: screen(
              () => import('../screens/changes/templates-screen.tsx'),
              'TemplatesScreen',
            ),
          },
          {
            path: 'changes/:changeId',
            lazy: screen(
              () => import('../screens/changes/change-detail-screen.tsx'),
              'ChangeDetailScreen',
            ),
          },
          {
            path: 'changes/:changeId/plan',
            lazy: screen(
              () => import('../screens/changes/plan-editor-screen.tsx'),
              'PlanEditorScreen',
            ),
          },
          {
            path: 'cab',
            lazy: screen(
              () => import('../screens/changes/cab-agenda-screen.tsx'),
              'CabAgendaScreen',
            ),
          },
          {
            path: 'calendar',
            lazy: screen(() => import('../screens/calendar/calendar-screen.tsx'), 'CalendarScreen'),
          },
          {
            path: 'rollouts',
            lazy: screen(
              () => import('../screens/rollouts/rollout-list-screen.tsx'),
              'RolloutListScreen',
            ),
          },
          {
            path: 'rollouts/:rolloutId',
            lazy: screen(
              () => import('../screens/rollouts/rollout-detail-screen.tsx'),
              'RolloutDetailScreen',
            ),
          },
          {
            path: 'autopilot',
            lazy: screen(
              () => import('../screens/autopilot/autopilot-screen.tsx'),
              'AutopilotScreen',
            ),
          },
          {
            path: 'autopilot/runs/:runId',
            lazy: screen(() => import('../screens/autopilot/run-screen.tsx'), 'AutopilotRunScreen'),
          },
          {
            path: 'audit',
            lazy: screen(() => import('../screens/audit/audit-screen.tsx'), 'AuditScreen'),
          },
          {
            path: 'reports/*',
            lazy: screen(() => import('../screens/reports/reports-screen.tsx'), 'ReportsScreen'),
          },
          {
            path: 'improvements',
            lazy: screen(
              () => import('../screens/improvements/improvements-screen.tsx'),
              'ImprovementsScreen',
            ),
          },
          {
            path: 'admin/*',
            lazy: screen(() => import('../screens/admin/admin-screen.tsx'), 'AdminScreen'),
          },
          { path: '*', element: <NotFoundScreen /> },
        ],
      },
    ],
  },
];
