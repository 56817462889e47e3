// Keeps the sign-in flow between steps. The token is a secret: it lives in memory and in
// sessionStorage (for a reload), never in the URL. Server times are mapped to this device's
// clock with an offset measured from the server's clock in each answer, so countdowns ignore
// clock skew. The email typed at sign-in is kept with it, to name the account in a recovery-code
// file.
import type { CodeChallenge, SignInFlow, SignInStep } from './api-types';
import type { AccountState } from './pages/account';

const key = 'portcullis.sign-in-flow';

export interface ActiveFlow {
  flow: SignInFlow;
  /** Add to a server timestamp to get this device's time. */
  offsetMs: number;
  /** The phone was offered with "Skip for Now" (not required): the pages word it that way. */
  phoneOffered: boolean;
  /** The email address typed on the sign-in page, if this tab knows it. */
  email?: string;
  /** For the account page once signed in (a step skipped earlier: where to add it later). */
  accountState?: AccountState;
}

let current: ActiveFlow | null = null;

/** Device time minus server time, from a fresh answer's server clock (or its code's issue). */
export function measureOffset(serverTime: string | undefined, code?: CodeChallenge | null): number {
  const server = Date.parse(serverTime ?? code?.issuedAt ?? '');
  return Number.isNaN(server) ? 0 : Date.now() - server;
}

function persist(active: ActiveFlow): ActiveFlow {
  current = active;
  try {
    sessionStorage.setItem(
      key,
      JSON.stringify({
        token: active.flow.flow,
        offsetMs: active.offsetMs,
        phoneOffered: active.phoneOffered,
        email: active.email,
        accountState: active.accountState,
      }),
    );
  } catch {
    // Storage may be unavailable (private mode); the flow still works until a reload.
  }
  return active;
}

export interface SavedFlow {
  token: string;
  offsetMs: number;
  phoneOffered: boolean;
  email?: string;
  accountState?: AccountState;
}

export const flowStore = {
  /**
   * A flow answer just received: remember it and measure the clock offset afresh. `email` is
   * the address typed on the sign-in page (when a sign-in starts); later answers keep it.
   */
  fresh(flow: SignInFlow, email?: string): ActiveFlow {
    const saved = current ?? flowStore.saved();
    const offsetMs = flow.serverTime
      ? measureOffset(flow.serverTime)
      : (saved?.offsetMs ?? measureOffset(undefined, flow.code));
    const phoneOffered =
      flow.step === 'enrol_phone' ? flow.skippable : (saved?.phoneOffered ?? false);
    const known = email ?? saved?.email;
    const accountState = saved?.accountState;
    return persist({
      flow,
      offsetMs,
      phoneOffered,
      ...(known ? { email: known } : {}),
      ...(accountState ? { accountState } : {}),
    });
  },
  /** Keeps `state` for the account page, shown once this sign-in ends (after later steps). */
  keepForAccount(state: AccountState): void {
    const active = current;
    if (active) persist({ ...active, accountState: state });
  },
  current(): ActiveFlow | null {
    return current;
  },
  saved(): SavedFlow | null {
    try {
      const value: unknown = JSON.parse(sessionStorage.getItem(key) ?? 'null');
      if (typeof value !== 'object' || value === null) return null;
      const { token, offsetMs, phoneOffered, email, accountState } = value as Record<
        string,
        unknown
      >;
      if (typeof token !== 'string') return null;
      return {
        token,
        offsetMs: typeof offsetMs === 'number' ? offsetMs : 0,
        phoneOffered: phoneOffered === true,
        ...(typeof email === 'string' && email ? { email } : {}),
        ...(typeof accountState === 'object' && accountState !== null
          ? { accountState: accountState as AccountState }
          : {}),
      };
    } catch {
      return null;
    }
  },
  clear(): void {
    current = null;
    try {
      sessionStorage.removeItem(key);
    } catch {
      // Nothing to clear.
    }
  },
};

const stepPaths: Record<SignInStep, string> = {
  verify_email: '/sign-in/verify-email',
  enrol_phone: '/sign-in/phone',
  confirm_phone: '/sign-in/phone',
  second_factor: '/sign-in/code',
  // The number an administrator entered (seed 002), confirmed in place of the second factor.
  confirm_pending_phone: '/sign-in/new-phone',
  // The policy's minimum: choosing a way, then the app or a passkey (the phone has its page).
  choose_mfa: '/sign-in/mfa',
  enrol_totp: '/sign-in/mfa',
  enrol_passkey: '/sign-in/mfa',
  // The new recovery code is shown where the code that led to it was entered (no page of its own).
  save_recovery_code: '/sign-in/code',
};

/** Where the page for a sign-in step lives, or undefined if these pages cannot show it. */
export function pathForStep(step: string): string | undefined {
  return Object.hasOwn(stepPaths, step) ? stepPaths[step as SignInStep] : undefined;
}
