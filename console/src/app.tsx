import type { ReactNode } from 'react';
import { AgentsPage } from './pages/agents.tsx';
import { ApprovalsPage } from './pages/approvals.tsx';
import { AuditPage } from './pages/audit.tsx';
import { ChatPage } from './pages/chat/chat-page.tsx';
import { MemoryPage } from './pages/memory.tsx';
import { RunTracePage } from './pages/run-trace.tsx';
import { RunsPage } from './pages/runs.tsx';
import { SettingsPage } from './pages/settings.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { SpacesPage } from './pages/spaces.tsx';
import { UsagePage } from './pages/usage.tsx';
import { Link, useLocation } from './router.tsx';
import { useSession } from './session.tsx';

const NAV: ReadonlyArray<{ to: string; label: string }> = [
  { to: '/chat', label: 'Chat' },
  { to: '/agents', label: 'Agents' },
  { to: '/spaces', label: 'Spaces' },
  { to: '/approvals', label: 'Approvals' },
  { to: '/runs', label: 'Runs' },
  { to: '/memory', label: 'Memory' },
  { to: '/audit', label: 'Audit' },
  { to: '/usage', label: 'Usage' },
  { to: '/settings', label: 'Settings' },
];

function pageFor(path: string): ReactNode {
  const run = /^\/runs\/([^/]+)$/.exec(path);
  if (run?.[1] !== undefined) return <RunTracePage runId={decodeURIComponent(run[1])} />;
  const conversation = /^\/chat\/([^/]+)$/.exec(path)?.[1];
  if (path.startsWith('/agents')) return <AgentsPage />;
  if (path.startsWith('/spaces')) return <SpacesPage />;
  if (path.startsWith('/approvals')) return <ApprovalsPage />;
  if (path.startsWith('/runs')) return <RunsPage />;
  if (path.startsWith('/memory')) return <MemoryPage />;
  if (path.startsWith('/audit')) return <AuditPage />;
  if (path.startsWith('/usage')) return <UsagePage />;
  if (path.startsWith('/settings')) return <SettingsPage />;
  return (
    <ChatPage conversationId={conversation === undefined ? undefined : decodeURIComponent(conversation)} />
  );
}

export function App() {
  const { session, signOut } = useSession();
  const { path } = useLocation();
  if (session.state === 'checking') {
    return (
      <p className="loading" role="status">
        Checking your session…
      </p>
    );
  }
  if (session.state === 'signed_out') return <SignInPage message={session.message} />;
  const { whoami } = session;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Agent OS</span>
        <nav aria-label="Console">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <Link
                  to={item.to}
                  current={path.startsWith(item.to) || (item.to === '/chat' && path === '/')}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className="who">
          {String(session.session.user.name ?? session.session.user.email ?? whoami.userId)} · {whoami.role}
        </span>
        <button type="button" className="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {pageFor(path)}
      </main>
    </div>
  );
}
