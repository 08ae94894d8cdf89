// Writes sign-in records in the beta shape (with authenticationDetails, graph.md §4.1) and keeps the user's
// signInActivity in step. The simulated sign-in page of a later issue calls recordSignIn after checking a passkey
// assertion or a TAP; tests and demos call it directly (or through POST /_simulator/sign-ins).
import { randomUUID } from 'node:crypto';
import type { GraphAuthenticationDetail, GraphSignIn } from '../graph/graph-types.ts';
import { notFound } from './graph-http-error.ts';
import type { TenantState } from './tenant-state.ts';

export interface SignInEvent {
  /** Object id or UPN. */
  user: string;
  /** Default: now on the tenant clock. */
  at?: string;
  appDisplayName?: string;
  appId?: string;
  ipAddress?: string;
  /** Each step, e.g. `{ method: 'Passkey (device-bound)', succeeded: true }`. */
  steps: { method: string; detail?: string; succeeded: boolean; requirement?: 'Primary authentication' | 'MFA'; resultDetail?: string }[];
  /** 0 = success; e.g. 50126 bad credentials, 53003 blocked by CA, 500121 strong auth failed. */
  errorCode?: number;
  failureReason?: string;
  interactive?: boolean;
  conditionalAccessStatus?: 'success' | 'failure' | 'notApplied';
}

/** Azure Portal's well-known application id. */
const AZURE_PORTAL_APP_ID = 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c';

export function recordSignIn(state: TenantState, e: SignInEvent): GraphSignIn {
  const user = state.findUser(e.user);
  if (!user) throw notFound(e.user);
  const at = e.at ?? state.clock.now().toISOString();
  const errorCode = e.errorCode ?? (e.steps.every((s) => s.succeeded) ? 0 : 500121);
  const details: GraphAuthenticationDetail[] = e.steps.map((s, i) => ({
    authenticationMethod: s.method,
    authenticationMethodDetail: s.detail ?? null,
    authenticationStepDateTime: at,
    authenticationStepRequirement: s.requirement ?? (i === 0 ? 'Primary authentication' : 'MFA'),
    authenticationStepResultDetail: s.resultDetail ?? (s.succeeded ? 'Correct password' : 'Authentication failed'),
    succeeded: s.succeeded,
  }));
  const interactive = e.interactive ?? true;
  const record: GraphSignIn = {
    id: randomUUID(),
    createdDateTime: at,
    userId: user.id,
    userPrincipalName: user.userPrincipalName.toLowerCase(),
    userDisplayName: user.displayName ?? null,
    appId: e.appId ?? AZURE_PORTAL_APP_ID,
    appDisplayName: e.appDisplayName ?? 'Azure Portal',
    ipAddress: e.ipAddress ?? '203.0.113.10',
    clientAppUsed: 'Browser',
    correlationId: randomUUID(),
    conditionalAccessStatus: e.conditionalAccessStatus ?? (errorCode === 0 ? 'success' : 'failure'),
    isInteractive: interactive,
    status: { errorCode, failureReason: errorCode === 0 ? null : (e.failureReason ?? 'Authentication failed.'), additionalDetails: null },
    authenticationDetails: details,
    authenticationRequirement: e.steps.length > 1 || e.steps.some((s) => /passkey|fido/i.test(s.method)) ? 'multiFactorAuthentication' : 'singleFactorAuthentication',
    authenticationMethodsUsed: [...new Set(e.steps.filter((s) => s.succeeded).map((s) => s.method))],
    signInEventTypes: [interactive ? 'interactiveUser' : 'nonInteractiveUser'],
  };
  state.signIns.push(record);
  const activity = { ...(user.signInActivity ?? {}) };
  if (interactive) {
    activity.lastSignInDateTime = at;
    activity.lastSignInRequestId = record.id;
  } else {
    activity.lastNonInteractiveSignInDateTime = at;
    activity.lastNonInteractiveSignInRequestId = record.id;
  }
  if (errorCode === 0) {
    activity.lastSuccessfulSignInDateTime = at;
    activity.lastSuccessfulSignInRequestId = record.id;
  }
  user.signInActivity = activity;
  return record;
}

/** Properties of the beta signIn that v1.0 does not have (graph.md §4.1, checked by the fidelity test). */
export const BETA_ONLY_SIGN_IN_PROPERTIES = [
  'authenticationDetails', 'authenticationRequirement', 'authenticationMethodsUsed', 'signInEventTypes', 'mfaDetail',
  'sessionId', 'incomingTokenType', 'uniqueTokenIdentifier', 'authenticationProtocol',
];

export function toV1SignIn(s: GraphSignIn): GraphSignIn {
  const out: Record<string, unknown> = { ...s };
  for (const k of BETA_ONLY_SIGN_IN_PROPERTIES) delete out[k];
  return out as GraphSignIn;
}
