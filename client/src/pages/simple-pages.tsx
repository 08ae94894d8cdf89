// Small pages: not found, and no access for this role.
import { useApp } from '../context.ts';
import { ROLE_LABEL } from '../format.ts';
import { Page } from '../components/page.tsx';
import { linkClick } from '../router.ts';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>
        There is no page at this address. Go to the{' '}
        <a href="/" onClick={(e) => linkClick(e, '/')}>
          start page
        </a>
        .
      </p>
    </Page>
  );
}

export function ForbiddenPage() {
  const { session } = useApp();
  return (
    <Page title="You do not have access to this page">
      <p>
        Your role is <strong>{session ? ROLE_LABEL[session.officer.role] : 'unknown'}</strong>. Ask an admin if you need access.
      </p>
    </Page>
  );
}
