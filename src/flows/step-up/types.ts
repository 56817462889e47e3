/**
 * The step-up flow's shapes: its methods (any held factor but the recovery code), what the page
 * is shown, what the flow holds, what the service needs and what it offers routes.
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { AccountFactors } from '../../factors/account-factors.js';
import type { Challenge, MethodId } from '../../factors/factor.js';
import type { ChallengeView, Challenges } from '../../factors/otp-code/challenge.js';
import type { CodeService } from '../../factors/otp-code/codes.js';
import type { AuthenticationCeremony } from '../../factors/passkey/ceremony.js';
import type { FactorRegistry } from '../../factors/registry.js';
import type { PolicySource } from '../../policy/source.js';
import type { FreshVerification } from '../../sessions/fresh.js';
import type { AuthenticatedSession, SessionService } from '../../sessions/sessions.js';
import type { Account, Session } from '../../store/schema.js';
import type { FlowStore } from '../../store/flow-store.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';

/** A way to step up: any held factor but the recovery code (which only signs in). */
export type StepUpMethod = Exclude<MethodId, 'recovery_code'>;

export interface StepUpView {
  flow: string;
  /** The method of this step-up. */
  method: StepUpMethod;
  /** Masked phone or email the code went to; null for the authenticator app and a passkey. */
  destination: string | null;
  /** Every method the user may switch to, the strongest first. */
  channels: StepUpMethod[];
  code: ChallengeView | null;
  /** With a passkey: the options for navigator.credentials.get. */
  passkey: AuthenticationCeremony | null;
}

export interface StepUpData {
  sessionId: string;
  channel: StepUpMethod;
  /** What the factor's start left (a passkey's ceremony, answered once). */
  challenge?: Challenge;
}

export interface StepUpDeps {
  clock: Clock;
  /** What the account holds (one read). */
  holdings: (accountId: string) => Promise<AccountFactors>;
  factors: FactorRegistry;
  codes: CodeService;
  challenges: Challenges;
  flows: FlowStore;
  sessions: SessionService;
  audit: AuditLog;
  /** The rotated session and its audit event commit together (S25). */
  units: UnitOfWork;
  /** The account's policy, read at every use (its organisation's override, an admin's change). */
  policies: PolicySource;
}

export type Rotated = { token: string; session: Session };

export interface StepUpService extends FreshVerification {
  /** The methods this user may step up with, the strongest first. */
  methods(account: Account): Promise<StepUpMethod[]>;
  start(
    auth: AuthenticatedSession,
    channel: StepUpMethod,
    origin: RequestOrigin,
  ): Promise<StepUpView>;
  resend(
    auth: AuthenticatedSession,
    token: string,
    channel: StepUpMethod | undefined,
    origin: RequestOrigin,
  ): Promise<StepUpView>;
  verify(
    auth: AuthenticatedSession,
    token: string,
    code: string,
    origin: RequestOrigin,
  ): Promise<Rotated>;
  /** The answer to the flow's passkey ceremony. */
  verifyPasskey(
    auth: AuthenticatedSession,
    token: string,
    response: AuthenticationResponseJSON,
    origin: RequestOrigin,
  ): Promise<Rotated>;
  freshUntil(auth: AuthenticatedSession): Promise<number | null>;
  /** Until when the session's last step-up lets it make changes (the account's policy's window). */
  validUntil(session: Session): Promise<number | null>;
}
