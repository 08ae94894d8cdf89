// Makes sure the officer's last passkey check is fresh *before* a sensitive call is sent, so a call carrying a key
// PIN is sent once (not refused for a stale step-up and sent again), and the passkey prompt comes before the confirm
// click's effect rather than in the middle of it.
import { api } from '../api/client.ts';
import type { AppState } from '../context.ts';
import { signWithPasskey } from '../webauthn/ceremonies.ts';

export async function ensureFreshStepUp(app: AppState, marginMs = 60_000): Promise<void> {
  const until = app.session?.stepUpValidUntil;
  if (until && Date.parse(until) - Date.now() > marginMs) return;
  app.announce('This action needs a fresh passkey check. Use your passkey now.');
  const start = await api<{ ceremonyId: string; options: Parameters<typeof signWithPasskey>[0] }>('POST', '/api/auth/step-up/options', {});
  const response = await signWithPasskey(start.options);
  await api('POST', '/api/auth/step-up/verify', { ceremonyId: start.ceremonyId, response });
  await app.refreshSession();
  app.announce('Passkey confirmed.');
}
