/**
 * Sign-in: identify + password (or a passkey alone: passkey.ts), then the steps the account still
 * owes (machine.ts), then a new session. Unknown emails and wrong passwords cost the same and
 * answer the same (S6); attempts are counted per email before the password is checked, never per
 * IP (S5). A passkey, a phone code, an authenticator-app code or the recovery code makes the
 * session AAL2; an email code never does (S9).
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { parseEmail } from '../../accounts/email.js';
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import type { KeyedHasher } from '../../crypto/keyed-hash.js';
import { AppError } from '../../errors/app-error.js';
import type { Challenges, CodeChannel } from '../../factors/otp-code/challenge.js';
import type { CodeService } from '../../factors/otp-code/codes.js';
import { canReceive, parsePhone, type PhoneRules } from '../../factors/phone/numbers.js';
import type { PhoneRepo } from '../../factors/phone/repo.js';
import { loadFactors } from '../../factors/account-factors.js';
import type { RelyingPartyConfig } from '../../config/webauthn.js';
import type { PasskeyRepo } from '../../factors/passkey/repo.js';
import type { PasskeyVerifier } from '../../factors/passkey/verifier.js';
import type { RecoveryCodeService } from '../../factors/recovery/service.js';
import type { TotpVerifier } from '../../factors/totp/verifier.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { PasswordHasher } from '../../factors/password/hashing.js';
import { normalizePassword } from '../../factors/password/rules.js';
import type { Policy } from '../../policy/presets.js';
import type { SessionService } from '../../sessions/sessions.js';
import type { Account, Db, Session } from '../../store/schema.js';
import type { FlowStore, StoredFlow } from '../flow-store.js';
import { checkCode } from '../code-outcome.js';
import {
  canMove,
  nextStep,
  sessionAssurance,
  type SecondFactorMethod,
  type SignInData,
  type SignInState,
} from './machine.js';
import { createPasskeySignIn, type PasskeySignInView } from './passkey.js';
import { createSignInSteps, type FlowView } from './steps.js';

const FLOW_KIND = 'sign_in';
const FLOW_TTL_MS = 15 * 60_000;

export type SignInOutcome =
  'success' | 'invalid_credentials' | 'throttled' | 'locked' | 'disabled' | 'code_invalid';

export interface SignInDeps {
  db: Db;
  clock: Clock;
  hasher: KeyedHasher;
  passwords: PasswordHasher;
  codes: CodeService;
  challenges: Challenges;
  flows: FlowStore;
  sessions: SessionService;
  throttle: Throttle;
  phones: PhoneRepo;
  totp: TotpVerifier;
  recovery: RecoveryCodeService;
  rp: RelyingPartyConfig;
  passkeys: PasskeyRepo;
  passkey: PasskeyVerifier;
  box: SecretBox;
  audit: AuditLog;
  policy: Policy;
  phoneRules: PhoneRules;
  portalName: string;
  /** Best-effort security notices (S21): a failure is logged, never fails the user's step. */
  notify: (message: OutgoingMessage) => Promise<void>;
  onOutcome?: (outcome: SignInOutcome) => void;
}

export type { FlowView, PasskeySignInView };

export type SignInResult =
  | { status: 'signed_in'; account: Account; session: Session; token: string }
  | { status: 'continue'; view: FlowView }
  | { status: 'restart'; message: string };

type SignInFlow = StoredFlow<SignInState, SignInData>;
/** The steps that end with a code. */
export type CodeStep = 'verify_email' | 'second_factor' | 'confirm_phone';

export interface SignInService {
  start(input: { email: string; password: string; origin: RequestOrigin }): Promise<SignInResult>;
  view(token: string): Promise<FlowView>;
  /**
   * The code of the current step (verify_email, second_factor or confirm_phone); `only` limits it
   * to one step (the /verify-email route).
   */
  verifyCode(input: {
    token: string;
    code: string;
    origin: RequestOrigin;
    only?: CodeStep;
  }): Promise<SignInResult>;
  submitPhone(input: {
    token: string;
    phone: string;
    channel: 'sms' | 'voice';
    origin: RequestOrigin;
  }): Promise<FlowView>;
  resendCode(input: {
    token: string;
    channel?: CodeChannel;
    origin: RequestOrigin;
  }): Promise<FlowView>;
  skip(input: { token: string; origin: RequestOrigin }): Promise<SignInResult>;
  /** In second_factor: use a passkey (a new ceremony), the app, or the recovery code, instead. */
  chooseMethod(input: {
    token: string;
    method: Exclude<SecondFactorMethod, 'code'>;
  }): Promise<FlowView>;
  /** In second_factor: the answer to the flow's passkey ceremony. */
  verifyPasskey(input: {
    token: string;
    response: AuthenticationResponseJSON;
    origin: RequestOrigin;
  }): Promise<SignInResult>;
  /** Password-less: a passkey ceremony any discoverable passkey of this RP may answer. */
  passkeyOptions(): Promise<PasskeySignInView>;
  /** Password-less: the answer (user verification required); the account's steps follow. */
  signInWithPasskey(input: {
    token: string;
    response: AuthenticationResponseJSON;
    origin: RequestOrigin;
  }): Promise<SignInResult>;
  /** In save_recovery_code: the user saved the new code; sign-in goes on. */
  recoveryCodeSaved(input: { token: string; origin: RequestOrigin }): Promise<SignInResult>;
}

export function createSignInService(d: SignInDeps): SignInService {
  const { db, clock, policy } = d;
  const outcome = (o: SignInOutcome) => d.onOutcome?.(o);
  const steps = createSignInSteps(d);
  const passwordSubject = (normalizedEmail: string) =>
    `password:${d.hasher.hash('email', normalizedEmail)}`;

  async function load(token: string, ...allowed: SignInState[]) {
    const flow = await d.flows.load<SignInState, SignInData>(token, FLOW_KIND);
    if (!allowed.includes(flow.state)) throw new AppError('FLOW_STATE_CONFLICT');
    const acc = await db
      .selectFrom('accounts')
      .selectAll()
      .where('id', '=', flow.accountId ?? '')
      .executeTakeFirst();
    if (!acc || acc.state !== 'active') throw new AppError('FLOW_NOT_FOUND');
    return { flow, acc, factors: await loadFactors(db, acc.id) };
  }

  async function createSession(
    acc: Account,
    data: SignInData,
    origin: RequestOrigin,
  ): Promise<SignInResult> {
    // Phone codes are restricted authenticators but reach AAL2; an email code never does (S9).
    const { amr, aal } = sessionAssurance(data);
    const { token, session } = await d.sessions.create({ accountId: acc.id, aal, amr, origin });
    const methods = amr.map((m) => m.method).join('+');
    await d.audit.record({
      action: 'sign_in.succeeded',
      actorId: acc.id,
      targetId: acc.id,
      origin,
      details: { methods, aal },
    });
    outcome('success');
    return { status: 'signed_in', account: acc, session, token };
  }

  /** Moves the flow to the next owed step (versioned write) and enters it. */
  async function advance(
    token: string,
    flow: SignInFlow,
    acc: Account,
    data: SignInData,
    origin: RequestOrigin,
  ): Promise<SignInResult> {
    const factors = await loadFactors(db, acc.id);
    const next = nextStep(acc, factors, policy, data);
    if (!canMove(flow.state, next)) throw new AppError('FLOW_STATE_CONFLICT');
    // Claim the move first (versioned write), so a double submit cannot enter a step twice.
    const claimed = await d.flows.save(flow, { state: next, data });
    const entered = await steps.enter(next, claimed, acc, factors, data, origin);
    const saved =
      entered === data ? claimed : await d.flows.save(claimed, { state: next, data: entered });
    if (next === 'completed') return createSession(acc, entered, origin);
    return { status: 'continue', view: await steps.view(token, saved, acc, factors) };
  }

  /** After the first factor: the first owed step (a new flow), or the session if none is. */
  async function begin(
    acc: Account,
    data: SignInData,
    origin: RequestOrigin,
  ): Promise<SignInResult> {
    const factors = await loadFactors(db, acc.id);
    const state = nextStep(acc, factors, policy, data);
    // Nothing owed: no flow to persist, straight to the session.
    if (state === 'completed') return createSession(acc, data, origin);
    const { token, flow } = await d.flows.create<SignInState, SignInData>({
      kind: FLOW_KIND,
      state,
      accountId: acc.id,
      data,
      ttlMs: FLOW_TTL_MS,
    });
    const entered = await steps.enter(state, flow, acc, factors, data, origin);
    const saved = entered === data ? flow : await d.flows.save(flow, { state, data: entered });
    return { status: 'continue', view: await steps.view(token, saved, acc, factors) };
  }

  const passkeys = createPasskeySignIn(d, { begin, load, advance, outcome });

  const check = (
    flow: SignInFlow,
    acc: Account,
    purpose: CodeStep,
    code: string,
    origin: RequestOrigin,
  ) =>
    checkCode(d, {
      binding: { flowId: flow.id, purpose },
      code,
      accountId: acc.id,
      origin,
      onFailure: () => outcome('code_invalid'),
    });

  return {
    async start({ email, password, origin }) {
      const parsed = parseEmail(email);
      const subject = passwordSubject(parsed.normalized);
      let failures: number;
      try {
        failures = await d.throttle.attempt(subject);
      } catch (err) {
        outcome(err instanceof AppError && err.code === 'ACCOUNT_LOCKED' ? 'locked' : 'throttled');
        throw err;
      }
      const acc = await db
        .selectFrom('accounts')
        .selectAll()
        .where('email_normalized', '=', parsed.normalized)
        .executeTakeFirst();
      const ok = await d.passwords.verify(acc?.password_hash ?? null, normalizePassword(password));
      if (!ok || !acc) {
        await d.audit.record({
          action: 'sign_in.failed',
          targetId: acc?.id ?? null,
          origin,
          details: { factor: 'pwd', failures },
        });
        outcome('invalid_credentials');
        throw new AppError('INVALID_CREDENTIALS');
      }
      if (acc.state === 'disabled') {
        outcome('disabled');
        throw new AppError('ACCOUNT_DISABLED');
      }
      await d.throttle.reset(subject);
      if (acc.password_hash && d.passwords.needsRehash(acc.password_hash)) {
        const rehashed = await d.passwords.hash(normalizePassword(password));
        await db
          .updateTable('accounts')
          .set({ password_hash: rehashed })
          .where('id', '=', acc.id)
          .execute();
        await d.audit.record({
          action: 'account.password_rehashed',
          actorId: acc.id,
          targetId: acc.id,
        });
      }

      return begin(acc, { passwordAt: clock.now() }, origin);
    },

    async view(token) {
      const { flow, acc, factors } = await load(
        token,
        'verify_email',
        'second_factor',
        'enrol_phone',
        'confirm_phone',
        'save_recovery_code',
      );
      return steps.view(token, flow, acc, factors);
    },

    async verifyCode({ token, code, origin, only }) {
      const codeSteps: CodeStep[] = only
        ? [only]
        : ['verify_email', 'second_factor', 'confirm_phone'];
      const { flow, acc } = await load(token, ...codeSteps);
      const step = flow.state as CodeStep;
      const method = step === 'second_factor' ? (flow.data.method ?? 'code') : 'code';
      // A passkey is answered with an assertion (verifyPasskey), never with a code.
      if (method === 'passkey') throw new AppError('FLOW_STATE_CONFLICT');
      if (method === 'totp')
        await d.totp.verify({ accountId: acc.id, code, purpose: 'second_factor', origin });
      else if (method === 'recovery_code') await d.recovery.use({ account: acc, code, origin });
      else await check(flow, acc, step, code, origin);
      const now = clock.now();
      if (step === 'verify_email') {
        await db
          .updateTable('accounts')
          .set({ email_verified_at: now, updated_at: now })
          .where('id', '=', acc.id)
          .where('email_verified_at', 'is', null)
          .execute();
        await d.audit.record({
          action: 'account.email_verified',
          actorId: acc.id,
          targetId: acc.id,
          origin,
        });
        return advance(
          token,
          flow,
          { ...acc, email_verified_at: acc.email_verified_at ?? now },
          flow.data,
          origin,
        );
      }
      if (step === 'second_factor') {
        const factor = method === 'code' ? (flow.data.channel ?? 'sms') : method;
        if (factor === 'sms' || factor === 'voice') await d.phones.touch(acc.id, now);
        return advance(
          token,
          flow,
          acc,
          { ...flow.data, secondFactor: { factor, at: now } },
          origin,
        );
      }
      const pending = flow.data.pendingPhone;
      if (!pending) throw new AppError('FLOW_STATE_CONFLICT');
      await steps.savePhone(acc, pending, origin);
      const data: SignInData = { ...flow.data, phoneEnrolledAt: now };
      if (policy.signInAgainAfterPhoneEnrolment) {
        await d.flows.save(flow, { state: 'restart', data });
        return {
          status: 'restart',
          message: 'Your phone number is verified. Sign in again to continue.',
        };
      }
      return advance(token, flow, acc, data, origin);
    },

    async submitPhone({ token, phone, channel, origin }) {
      const { flow, acc, factors } = await load(token, 'enrol_phone', 'confirm_phone');
      const parsed = parsePhone(phone, d.phoneRules);
      if (!canReceive(parsed.kind, channel)) throw new AppError('CHANNEL_NOT_AVAILABLE');
      const data: SignInData = {
        ...flow.data,
        channel,
        pendingPhone: { e164: parsed.e164, country: parsed.country, kind: parsed.kind },
      };
      // The same number by the same channel again is a resend (cooldown); anything else is not.
      const pending = flow.data.pendingPhone;
      if (
        flow.state === 'confirm_phone' &&
        pending?.e164 === parsed.e164 &&
        flow.data.channel === channel
      ) {
        await d.challenges.assertResendAllowed({ flowId: flow.id, purpose: 'confirm_phone' });
      }
      const saved = await d.flows.save(flow, { state: 'confirm_phone', data });
      await steps.sendCurrent(saved, acc, factors, origin);
      return steps.view(token, saved, acc, factors);
    },

    async resendCode({ token, channel, origin }) {
      const { flow, acc, factors } = await load(
        token,
        'verify_email',
        'second_factor',
        'confirm_phone',
      );
      // Claims the flow's version first, so a double-clicked resend sends once.
      const saved = await d.flows.save(flow, {
        state: flow.state,
        data: await steps.resend(flow, factors, channel),
      });
      await steps.sendCurrent(saved, acc, factors, origin);
      return steps.view(token, saved, acc, factors);
    },

    async chooseMethod({ token, method }) {
      const { flow, acc, factors } = await load(token, 'second_factor');
      const saved = await d.flows.save(flow, {
        state: flow.state,
        data: await steps.chooseMethod(flow, acc, factors, method),
      });
      return steps.view(token, saved, acc, factors);
    },

    verifyPasskey: (input) => passkeys.secondFactor(input),
    passkeyOptions: () => passkeys.options(),
    signInWithPasskey: (input) => passkeys.finish(input),

    async recoveryCodeSaved({ token, origin }) {
      const { flow, acc } = await load(token, 'save_recovery_code');
      await d.recovery.markSaved(acc, origin);
      // The sealed code leaves the flow once saved.
      const data: SignInData = { ...flow.data, recoveryCodeSavedAt: clock.now() };
      delete data.newRecoveryCode;
      return advance(token, flow, acc, data, origin);
    },

    async skip({ token, origin }) {
      const { flow, acc } = await load(token, 'enrol_phone');
      if (policy.phoneAtSignIn !== 'offer') throw new AppError('FLOW_STATE_CONFLICT');
      const now = clock.now();
      await db
        .updateTable('accounts')
        .set({ phone_offer_dismissed_at: now })
        .where('id', '=', acc.id)
        .execute();
      return advance(token, flow, { ...acc, phone_offer_dismissed_at: now }, flow.data, origin);
    },
  };
}
