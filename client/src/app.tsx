// The app shell: loads the status and the session, shows the header (tenant, navigation, who is signed in), routes
// paths to pages, keeps the CSRF token in the API client, and runs passkey step-ups when an action asks for one.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { api, ApiError, onStepUpRequired, onUnauthenticated, setCsrfToken } from './api/client.ts';
import type { Permission, Session, Status } from './api/types.ts';
import { TenantBadge } from './components/tenant-badge.tsx';
import { AppContext, type AppState } from './context.ts';
import { ROLE_LABEL } from './format.ts';
import { linkClick, navigate, usePath } from './router.ts';
import { signWithPasskey } from './webauthn/ceremonies.ts';
import { AccountsPage } from './pages/accounts-page.tsx';
import { AuditPage } from './pages/audit-page.tsx';
import { InvitePage } from './pages/invite-page.tsx';
import { ForbiddenPage, NotFoundPage } from './pages/simple-pages.tsx';
import { OfficersPage } from './pages/officers-page.tsx';
import { PasskeysPage } from './pages/passkeys-page.tsx';
import { SetupPage } from './pages/setup-page.tsx';
import { SignInPage } from './pages/sign-in-page.tsx';
import { ENROLLMENT_NAV, enrollmentPage, enrollmentPermission } from './enrollment/enrollment-pages.tsx';
import { DRILL_NAV, drillPage, drillPermission } from './drills/drill-pages.tsx';

interface NavItem {
  href: string;
  label: string;
  permission: Permission | null;
}

const NAV: NavItem[] = [
  { href: '/accounts', label: 'Emergency accounts', permission: 'accounts.read' },
  ...ENROLLMENT_NAV,
  ...DRILL_NAV,
  { href: '/officers', label: 'Officers', permission: 'officers.manage' },
  { href: '/audit', label: 'Audit log', permission: 'audit.read' },
  { href: '/passkeys', label: 'My passkeys', permission: null },
];

const PROTECTED: Record<string, Permission | null> = { '/accounts': 'accounts.read', '/officers': 'officers.manage', '/audit': 'audit.read', '/passkeys': null };

export function App() {
  const path = usePath();
  const [status, setStatus] = useState<Status | null>(null);
  const [session, setSessionState] = useState<Session | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const [notice, setNotice] = useState<string | null>(null);

  const setSession = useCallback((s: Session | null) => {
    setCsrfToken(s?.csrfToken);
    setSessionState(s);
  }, []);

  const refreshStatus = useCallback(async () => {
    setStatus(await api<Status>('GET', '/api/auth/status'));
  }, []);

  const refreshSession = useCallback(async () => {
    try {
      setSession(await api<Session>('GET', '/api/auth/session'));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) setSession(null);
      else throw err;
    }
  }, [setSession]);

  useEffect(() => {
    (async () => {
      try {
        const s = await api<Status>('GET', '/api/auth/status');
        if (s.signedIn) await refreshSession();
        setStatus(s);
      } catch (err) {
        setLoadError(err instanceof Error ? err.message : String(err));
      }
    })();
  }, [refreshSession]);

  const announce = useCallback((m: string) => {
    // Clear first so the same message is announced again.
    setMessage('');
    setTimeout(() => setMessage(m), 50);
  }, []);

  useEffect(() => {
    onStepUpRequired(async () => {
      announce('This action needs a fresh passkey check. Use your passkey now.');
      const start = await api<{ ceremonyId: string; options: Parameters<typeof signWithPasskey>[0] }>('POST', '/api/auth/step-up/options', {});
      const response = await signWithPasskey(start.options);
      await api('POST', '/api/auth/step-up/verify', { ceremonyId: start.ceremonyId, response });
      announce('Passkey confirmed.');
      await refreshSession();
    });
    onUnauthenticated((code) => {
      setSession(null);
      setNotice(code === 'session_expired' ? 'Your session has ended. Sign in again to continue.' : 'You are signed out. Sign in to continue.');
      navigate('/sign-in', { replace: true });
    });
  }, [announce, refreshSession, setSession]);

  const state: AppState | null = useMemo(
    () =>
      status
        ? {
            status,
            session,
            setSession: (s) => {
              setSession(s);
              setNotice(null);
            },
            refreshSession,
            refreshStatus,
            announce,
            can: (p) => session?.permissions.includes(p) ?? false,
          }
        : null,
    [status, session, refreshSession, refreshStatus, announce, setSession],
  );

  // Redirects that depend on the state (done in an effect so history stays right).
  const target = state ? redirectFor(path, state) : null;
  useEffect(() => {
    if (target && target !== path) navigate(target, { replace: true });
  }, [target, path]);

  async function signOut() {
    try {
      await api('POST', '/api/auth/sign-out');
    } catch {
      /* the session may already be gone: sign out locally either way */
    }
    setSession(null);
    setNotice('You have signed out.');
    navigate('/sign-in');
  }

  let page: ComponentChildren;
  if (loadError) page = <p class="error-summary" role="alert">breakglass could not load: {loadError}</p>;
  else if (!state || (target && target !== path)) page = <p class="loading">Loading…</p>;
  else page = pageFor(path, state, notice);

  return (
    <AppContext.Provider value={state}>
      <a class="skip-link" href="#main">
        Skip to main content
      </a>
      <header class="masthead">
        <div class="masthead-inner">
          <a class="brand" href="/" onClick={(e) => linkClick(e, '/')}>
            breakglass
          </a>
          {session ? (
            <div class="who">
              <span>
                Signed in as <strong>{session.officer.displayName}</strong> ({ROLE_LABEL[session.officer.role]})
              </span>
              <button type="button" class="button-secondary" onClick={signOut}>
                Sign out
              </button>
            </div>
          ) : null}
        </div>
        <TenantBadge status={status} tenant={session?.tenant} />
        {session ? (
          <nav aria-label="Main" class="nav">
            <ul>
              {NAV.filter((n) => n.permission === null || session.permissions.includes(n.permission)).map((n) => (
                <li key={n.href}>
                  <a href={n.href} aria-current={path === n.href ? 'page' : undefined} onClick={(e) => linkClick(e, n.href)}>
                    {n.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
      </header>
      <div class="live" role="status" aria-live="polite">
        {message}
      </div>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
      <footer class="footer">
        <p>
          breakglass signs officers in with passkeys only, never through Entra ID. Every change is written to a signed, hash-chained audit log.
        </p>
      </footer>
    </AppContext.Provider>
  );
}

function redirectFor(path: string, s: AppState): string | null {
  if (path === '/' || path === '/index.html') return s.status.bootstrapRequired ? '/setup' : s.session ? '/accounts' : '/sign-in';
  if (path === '/setup' && !s.status.bootstrapRequired) return s.session ? '/accounts' : '/sign-in';
  if (path === '/sign-in' && s.status.bootstrapRequired) return '/setup';
  if (path === '/sign-in' && s.session) return '/accounts';
  if ((path in PROTECTED || enrollmentPermission(path) || drillPermission(path)) && !s.session) return s.status.bootstrapRequired ? '/setup' : '/sign-in';
  return null;
}

function pageFor(path: string, s: AppState, notice: string | null): ComponentChildren {
  if (path in PROTECTED) {
    const need = PROTECTED[path];
    if (need && !s.can(need)) return <ForbiddenPage />;
  }
  const enrollmentNeed = enrollmentPermission(path);
  if (enrollmentNeed) return s.can(enrollmentNeed) ? enrollmentPage(path) : <ForbiddenPage />;
  const drillNeed = drillPermission(path);
  if (drillNeed) return s.can(drillNeed) ? drillPage(path) : <ForbiddenPage />;
  switch (path) {
    case '/setup':
      return <SetupPage />;
    case '/sign-in':
      return <SignInPage notice={notice} />;
    case '/invite':
      return <InvitePage />;
    case '/accounts':
      return <AccountsPage />;
    case '/officers':
      return <OfficersPage />;
    case '/audit':
      return <AuditPage />;
    case '/passkeys':
      return <PasskeysPage />;
    default:
      return <NotFoundPage />;
  }
}
