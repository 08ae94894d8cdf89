// Passkeys are bound to one address. If the page was opened at another one (127.0.0.1 instead of localhost, an
// internal name instead of the public URL), say where to go before anyone tries and fails.
import { useApp } from '../context.ts';

export function OriginWarning() {
  const { status } = useApp();
  if (status.origin === location.origin) return null;
  return (
    <div class="warning" role="alert">
      <p>
        Passkeys for breakglass only work at <a href={status.origin}>{status.origin}</a>. You opened it at {location.origin}.
      </p>
    </div>
  );
}
