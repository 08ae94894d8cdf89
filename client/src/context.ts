// What every page can reach: the service status, the session (null when signed out), and the live region.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Permission, Session, Status } from './api/types.ts';

export interface AppState {
  status: Status;
  session: Session | null;
  /** Stores a new session (after sign-in) or clears it (sign-out). */
  setSession(s: Session | null): void;
  refreshSession(): Promise<void>;
  refreshStatus(): Promise<void>;
  /** Says something in the polite live region (ceremony progress, results). */
  announce(message: string): void;
  can(p: Permission): boolean;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const s = useContext(AppContext);
  if (!s) throw new Error('useApp outside the app');
  return s;
}
