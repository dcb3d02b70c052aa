/**
 * Reports, mounted at /reports/*: the metrics overview (figures for a period and scope, each
 * opening the rows it counts, and trends from the daily snapshots), the generated reports (make
 * one of any type and format, follow its run, download, regenerate) and the schedules. Needs
 * `reports:read`; schedules need `reports:manage`.
 */
import type { ComponentType } from 'react';
import { lazy, Suspense } from 'react';
import { NavLink, Route, Routes } from 'react-router';
import { useSession } from '../../api/session.tsx';
import { NotFoundScreen } from '../../app/route-error.tsx';
import { Loading } from '../../ui/states.tsx';
import { NotPermitted } from '../admin/common.tsx';
import './reports.css';

const named = <M,>(load: () => Promise<M>, name: keyof M) =>
  lazy(async () => ({ default: (await load())[name] as ComponentType }));

const MetricsOverview = named(() => import('./metrics-screen.tsx'), 'MetricsScreen');
const MetricRowsScreen = named(() => import('./metric-rows-screen.tsx'), 'MetricRowsScreen');
const RunsScreen = named(() => import('./runs-screen.tsx'), 'RunsScreen');
const RunScreen = named(() => import('./run-screen.tsx'), 'RunScreen');
const SchedulesScreen = named(() => import('./schedules-screen.tsx'), 'SchedulesScreen');

export function ReportsScreen() {
  const { user, can } = useSession();
  if (user === undefined) return <Loading />;
  if (!can('reports:read')) return <NotPermitted title="Reports" permissions={['reports:read']} />;
  return (
    <div className="reports">
      <nav className="reports-nav" aria-label="Reports">
        <ul>
          <li>
            <NavLink to="/reports" end>
              Metrics
            </NavLink>
          </li>
          <li>
            <NavLink to="/reports/runs">Generated reports</NavLink>
          </li>
          {can('reports:manage') && (
            <li>
              <NavLink to="/reports/schedules">Schedules</NavLink>
            </li>
          )}
        </ul>
      </nav>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route index element={<MetricsOverview />} />
          <Route path="rows" element={<MetricRowsScreen />} />
          <Route path="runs" element={<RunsScreen />} />
          <Route path="runs/:runId" element={<RunScreen />} />
          <Route
            path="schedules"
            element={
              can('reports:manage') ? (
                <SchedulesScreen />
              ) : (
                <NotPermitted title="Report schedules" permissions={['reports:manage']} />
              )
            }
          />
          <Route path="*" element={<NotFoundScreen />} />
        </Routes>
      </Suspense>
    </div>
  );
}
