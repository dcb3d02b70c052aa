/**
 * Administration, mounted at /admin/*: a sub-navigation of the sections the user's permissions
 * open, and each section's screen (its own lazy chunk) on a nested route. The index lists those
 * sections; a section opened by URL without its permission says which permission it needs.
 */
import type { ComponentType } from 'react';
import { lazy, Suspense } from 'react';
import { Link, NavLink, Route, Routes } from 'react-router';
import { useSession } from '../../api/session.tsx';
import { NotFoundScreen } from '../../app/route-error.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { EmptyState, Loading } from '../../ui/states.tsx';
import './admin.css';
import { RequireSection } from './common.tsx';
import type { AdminSection } from './sections.ts';
import { adminSections, sectionByPath } from './sections.ts';

const named = <M,>(load: () => Promise<M>, name: keyof M) =>
  lazy(async () => ({ default: (await load())[name] as ComponentType }));

const screens: Readonly<Record<string, ComponentType>> = {
  users: named(() => import('./users-screen.tsx'), 'UsersScreen'),
  roles: named(() => import('./roles-screen.tsx'), 'RolesScreen'),
  tokens: named(() => import('./tokens-screen.tsx'), 'TokensScreen'),
  sources: named(() => import('./sources-screen.tsx'), 'SourcesScreen'),
  agents: named(() => import('./agents-screen.tsx'), 'AgentsScreen'),
  'enrolment-tokens': named(() => import('./enrolment-tokens-screen.tsx'), 'EnrolmentTokensScreen'),
  notifications: named(() => import('./notifications-screen.tsx'), 'NotificationsScreen'),
  approvals: named(() => import('./approvals-screen.tsx'), 'ApprovalsScreen'),
};
const SyncRunScreen = named(() => import('./sync-run-screen.tsx'), 'SyncRunScreen');
const AgentDetailScreen = named(() => import('./agent-detail-screen.tsx'), 'AgentDetailScreen');

function useAllowedSections(): readonly AdminSection[] {
  const { can } = useSession();
  return adminSections.filter((section) => section.permissions.some((p) => can(p)));
}

function AdminIndex() {
  const allowed = useAllowedSections();
  return (
    <>
      <PageHeader
        title="Administration"
        description="The sections your permissions open. Everything here is recorded in the audit log."
      />
      {allowed.length === 0 ? (
        <EmptyState title="Your roles open no administration section." />
      ) : (
        <ul className="admin-cards" aria-label="Administration sections">
          {allowed.map((section) => (
            <li key={section.path} className="card admin-card">
              <h2>
                <Link to={`/admin/${section.path}`}>{section.title}</Link>
              </h2>
              <p className="muted">{section.description}</p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function AdminScreen() {
  const allowed = useAllowedSections();
  return (
    <div className="admin">
      {allowed.length > 0 && (
        <nav className="admin-nav" aria-label="Administration">
          <ul>
            <li>
              <NavLink to="/admin" end>
                Overview
              </NavLink>
            </li>
            {allowed.map((section) => (
              <li key={section.path}>
                <NavLink to={`/admin/${section.path}`}>{section.title}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route index element={<AdminIndex />} />
          {adminSections.map((section) => {
            const Screen = screens[section.path];
            if (Screen === undefined) return null;
            return (
              <Route
                key={section.path}
                path={section.path}
                element={
                  <RequireSection section={section}>
                    <Screen />
                  </RequireSection>
                }
              />
            );
          })}
          <Route
            path="sources/runs/:runId"
            element={
              <RequireSection section={sectionByPath('sources')}>
                <SyncRunScreen />
              </RequireSection>
            }
          />
          <Route
            path="agents/:agentId"
            element={
              <RequireSection section={sectionByPath('agents')}>
                <AgentDetailScreen />
              </RequireSection>
            }
          />
          <Route path="*" element={<NotFoundScreen />} />
        </Routes>
      </Suspense>
    </div>
  );
}
