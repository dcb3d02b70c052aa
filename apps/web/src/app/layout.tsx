/**
 * The application shell: a skip link, the navigation (grouped by who uses it; entries the user's
 * permissions cannot open are left out), the user menu with theme and logout, the live-update
 * status, and the screen. Below 900 px the navigation folds behind a menu button (tablets).
 */
import { Suspense, useState } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import type { Permission } from '../api/session.tsx';
import { useSession, useUser } from '../api/session.tsx';
import { Loading } from '../ui/states.tsx';
import { useLiveUpdates } from './live.ts';
import type { ThemeChoice } from './theme.ts';
import { useTheme } from './theme.ts';

interface NavEntry {
  readonly to: string;
  readonly label: string;
  readonly permission?: Permission;
  /** Active on this path only, not on the paths below it. */
  readonly end?: boolean;
}

/**
 * The entry the path belongs to: the longest `to` that is the path or a parent of it, so
 * /changes/templates lights "Change templates" and not "Changes" as well.
 */
export function activeEntry(entries: readonly NavEntry[], pathname: string): string | undefined {
  let best: string | undefined;
  for (const entry of entries) {
    const matches =
      pathname === entry.to ||
      (entry.end !== true &&
        pathname.startsWith(entry.to.endsWith('/') ? entry.to : `${entry.to}/`));
    if (matches && (best === undefined || entry.to.length > best.length)) best = entry.to;
  }
  return best;
}

export const navigation: readonly {
  readonly group: string;
  readonly entries: readonly NavEntry[];
}[] = [
  {
    group: 'Overview',
    entries: [{ to: '/', label: 'Dashboard', end: true }],
  },
  {
    group: 'Exposure',
    entries: [
      { to: '/findings', label: 'Findings', permission: 'findings:read' },
      { to: '/exceptions', label: 'Exceptions', permission: 'findings:read' },
      { to: '/assets', label: 'Assets', permission: 'assets:read' },
      { to: '/advisories', label: 'Advisories', permission: 'advisories:read' },
    ],
  },
  {
    group: 'Change',
    entries: [
      { to: '/changes', label: 'Changes', permission: 'changes:read' },
      { to: '/cab', label: 'CAB agenda', permission: 'changes:read' },
      { to: '/changes/templates', label: 'Change templates', permission: 'changes:read' },
      { to: '/calendar', label: 'Calendar', permission: 'calendar:read' },
      { to: '/rollouts', label: 'Rollouts', permission: 'changes:read' },
      { to: '/autopilot', label: 'Autopilot', permission: 'changes:read' },
    ],
  },
  {
    group: 'Reporting',
    entries: [
      { to: '/reports', label: 'Reports', permission: 'reports:read' },
      { to: '/improvements', label: 'Improvements', permission: 'reports:read' },
    ],
  },
  {
    group: 'Governance',
    entries: [
      { to: '/audit', label: 'Audit log', permission: 'audit:read' },
      { to: '/admin', label: 'Administration' },
    ],
  },
];

function ThemeSelect() {
  const [theme, setTheme] = useTheme();
  return (
    <label className="theme-select">
      <span>Theme</span>
      <select value={theme} onChange={(event) => setTheme(event.target.value as ThemeChoice)}>
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}

const liveLabels = {
  connecting: 'Connecting…',
  live: 'Live',
  offline: 'Live updates off',
} as const;

export function AppLayout() {
  const user = useUser();
  const { can, logout } = useSession();
  const live = useLiveUpdates();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const current = activeEntry(
    navigation.flatMap((group) => group.entries),
    location.pathname,
  );
  return (
    <div className="shell" data-menu-open={menuOpen}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          type="button"
          className="button button-ghost menu-button"
          aria-expanded={menuOpen}
          aria-controls="navigation"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <NavLink to="/" className="brand" aria-label="Patchgate home">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          Patchgate
        </NavLink>
        <div className="topbar-end">
          <span className={`live live-${live}`} role="status" title="Live updates from the server">
            {liveLabels[live]}
          </span>
          <ThemeSelect />
          <span className="user-name" title={user.roles.join(', ')}>
            {user.displayName}
          </span>
          <button type="button" className="button" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <nav id="navigation" className="sidebar" aria-label="Main">
        {navigation.map((group) => {
          const entries = group.entries.filter(
            (entry) => entry.permission === undefined || can(entry.permission),
          );
          if (entries.length === 0) return null;
          return (
            <div key={group.group} className="nav-group">
              <h2 className="nav-group-title">{group.group}</h2>
              <ul>
                {entries.map((entry) => (
                  <li key={entry.to}>
                    <Link
                      to={entry.to}
                      className={entry.to === current ? 'active' : undefined}
                      aria-current={entry.to === current ? 'page' : undefined}
                      onClick={() => setMenuOpen(false)}
                    >
                      {entry.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Suspense key={location.pathname} fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
