/**
 * Forgotten password (DESIGN "Flows", S6, S22). The policy says how a signed-out user proves who
 * they are: a code sent to the email, or the recovery code followed by a passkey, a code from the
 * authenticator app or a code sent to the phone. Then they choose a new password; their sessions
 * end if they ask, they are told by email, and they are *not* signed in — the next sign-in asks
 * for every factor the policy asks for.
 *
 * A passkey confirming a recovery code: a ceremony for that account's usable passkeys (32-byte
 * challenge from the CSPRNG, expiring with the ceremony), kept in the flow and taken out of it by
 * a versioned write before the answer is verified, so it is answered once (S15); a failure counts
 * on the account like every second-factor failure (S5).
 *
 * Unknown addresses answer exactly like known ones: a flow is created and a code issued for
 * both (for an unknown address it is sent nowhere), the email itself goes out after the answer
 * (so its sending time tells nothing), limits count per address whether or not it has an
 * account, and a recovery code typed for an unknown address costs the same argon2id
 * verification as a real one.
 */
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { parseEmail } from '../../accounts/email.js';
import type { Throttle } from '../../accounts/throttle.js';
import type { AuditLog, RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { RelyingPartyConfig } from '../../config/webauthn.js';
import type { KeyedHasher } from '../../crypto/keyed-hash.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import {
  passwordResetCode,
  passwordResetWayNotAllowed,
  securityNotice,
} from '../../delivery/messages.js';
import type { Outbox } from '../../delivery/outbox.js';
import type { OutgoingMessage } from '../../delivery/sender.js';
import { countAgainstLimit } from '../../delivery/spend-guard.js';
import type { CounterStore } from '../../store/counters.js';
import { AppError } from '../../errors/app-error.js';
import { loadFactors, type AccountFactors } from '../../factors/account-factors.js';
import type { Challenges } from '../../factors/otp-code/challenge.js';
import type { CodeBinding, CodeService } from '../../factors/otp-code/codes.js';
import { heldPasskeyCeremony, liveChallenge } from '../../factors/passkey/ceremony.js';
import type { PasskeyRepo } from '../../factors/passkey/repo.js';
import type { PasskeyVerifier } from '../../factors/passkey/verifier.js';
import type { PasswordHasher } from '../../factors/password/hashing.js';
import { checkPassword } from '../../factors/password/rules.js';
import { canReceive, channelsFor } from '../../factors/phone/numbers.js';
import type { PhoneRepo } from '../../factors/phone/repo.js';
import type { RecoveryCodeService } from '../../factors/recovery/service.js';
import type { TotpVerifier } from '../../factors/totp/verifier.js';
import type { PasswordResetMethod } from '../../policy/presets.js';
import type { PolicySource } from '../../policy/source.js';
import type { SessionService } from '../../sessions/sessions.js';
import type { Account, Db } from '../../store/schema.js';
import { checkCode, codeOutcomeError, countedCheck, Refused } from '../../factors/counted-check.js';
import type { FlowStore, StoredFlow } from '../../store/flow-store.js';
import {
  resetFlow,
  firstState,
  type ResetData,
  type ResetProof,
  type ResetSecondFactor,
  type ResetState,
  resetSecondFactors,
} from './machine.js';
import { createResetView, recoveryAad, type ResetView, type SecondFactorContext } from './view.js';
import type { UnitOfWork } from '../../store/unit-of-work.js';
import type { AccountRepo } from '../../accounts/repo.js';

const FLOW_KIND = resetFlow.kind;
const FLOW_TTL_MS = 15 * 60_000;
const HOUR = 60 * 60_000;

/** Reset emails one address may be sent per hour, and resets one IP may start per 10 minutes. */
export const RESET_LIMITS = { perEmailPerHour: 5, perIpPer10Min: 20 };

export interface PasswordResetDeps {
  accounts: AccountRepo;
  units: UnitOfWork;
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
  rp: RelyingPartyConfig;
  passkeys: PasskeyRepo;
  passkey: PasskeyVerifier;
  recovery: RecoveryCodeService;
  box: SecretBox;
  audit: AuditLog;
  /** Read per request: the deployment's before the account is known, the account's after. */
  policies: PolicySource;
  outbox: Outbox;
  counters: CounterStore;
  notify: (message: OutgoingMessage) => Promise<void>;
  settings: { portalName: string; passwordMinLength: number };
}

export type { ResetView };

export type ResetResult =
  { status: 'continue'; view: ResetView } | { status: 'completed'; message: string };

export interface PasswordResetService {
  start(input: {
    email: string;
    method: PasswordResetMethod;
    origin: RequestOrigin;
  }): Promise<ResetView>;
  view(token: string): Promise<ResetView>;
  /** The code of email_code, or the app or phone code of second_factor. */
  verifyCode(input: { token: string; code: string; origin: RequestOrigin }): Promise<ResetView>;
  recoveryCode(input: { token: string; code: string; origin: RequestOrigin }): Promise<ResetView>;
  /** In second_factor: the passkey's answer to the flow's ceremony. */
  verifyPasskey(input: {
    token: string;
    response: AuthenticationResponseJSON;
    origin: RequestOrigin;
  }): Promise<ResetView>;
  /**
   * In second_factor: a passkey (a new ceremony), the app, or a code sent by text or call (sent
   * at once).
   */
  chooseSecondFactor(input: {
    token: string;
    factor: ResetSecondFactor;
    origin: RequestOrigin;
  }): Promise<ResetView>;
  resendCode(input: { token: string; origin: RequestOrigin }): Promise<ResetView>;
  setPassword(input: {
    token: string;
    password: string;
    endSessions: boolean;
    origin: RequestOrigin;
  }): Promise<ResetResult>;
  recoveryCodeSaved(input: { token: string; origin: RequestOrigin }): Promise<ResetResult>;
}

type ResetFlow = StoredFlow<ResetState, ResetData>;

const DONE_MESSAGE = 'Your password is changed. Sign in with your new password.';

const proofWords: Record<ResetProof, string> = {
  email: 'a code sent to this email address',
  recovery_code: 'your recovery code',
  passkey: 'your passkey',
  totp: 'a code from your authenticator app',
  sms: 'a code sent by text message',
  voice: 'a code given by phone call',
};

/** A reset is for an active account only: any other is answered as no account (S6). */
async function activeAccount(found: Promise<Account | undefined>): Promise<Account | undefined> {
  const account = await found;
  return account?.state === 'active' ? account : undefined;
}

export function createPasswordResetService(d: PasswordResetDeps): PasswordResetService {
  const { db, clock } = d;
  const emailKey = (normalized: string) => d.hasher.hash('email', normalized);
  const present = createResetView(d);
  const emailBinding = (flow: ResetFlow): CodeBinding => ({
    flowId: flow.id,
    purpose: 'password_reset',
  });
  const phoneBinding = (flow: ResetFlow): CodeBinding => ({
    flowId: flow.id,
    purpose: 'second_factor',
  });

  const hit = (key: string, windowMs: number, max: number) =>
    countAgainstLimit(d.counters, { key, windowMs, max, why: 'password-reset limit' }, clock.now());

  async function load(token: string, ...allowed: ResetState[]) {
    let flow: ResetFlow;
    try {
      flow = await d.flows.load<ResetState, ResetData>(token, FLOW_KIND);
    } catch (err) {
      if (err instanceof AppError && err.code === 'FLOW_NOT_FOUND')
        throw new AppError('RESET_NOT_FOUND');
      throw err;
    }
    if (!allowed.includes(flow.state)) throw new AppError('FLOW_STATE_CONFLICT');
    const acc = flow.accountId ? await activeAccount(d.accounts.byId(flow.accountId)) : undefined;
    // Only the first step is reachable without an account (and looks the same without one).
    if (!acc && flow.accountId !== null) throw new AppError('RESET_NOT_FOUND');
    return { flow, acc };
  }

  function requireAccount(acc: Account | undefined): Account {
    if (!acc) throw new AppError('FLOW_STATE_CONFLICT');
    return acc;
  }

  /**
   * A secret typed in the first step: counted on the account (S5) or, for an address with no
   * account, on a counter of its own that throttles and locks the same way.
   */
  async function countedFirstStep(
    flow: ResetFlow,
    acc: Account | undefined,
    check: () => Promise<Refused | undefined>,
    origin: RequestOrigin,
  ): Promise<void> {
    if (acc) {
      await countedCheck(d, { accountId: acc.id, purpose: 'password_reset', origin }, check);
      return;
    }
    await d.throttle.attempt(`code:reset:${emailKey(parseEmail(flow.data.email).normalized)}`);
    const failure = (await check()) ?? new Refused('invalid', new AppError('CODE_INVALID'));
    throw failure.error;
  }

  /** Issues the email step's code; only an existing account's is sent (after the answer). */
  async function issueEmailCode(flow: ResetFlow, acc: Account | undefined) {
    // The deployment's rules, for an address with or without an account alike (S6).
    const validityMs = (await d.challenges.rules(null)).validityMs.email;
    const issued = await d.codes.issue({
      ...emailBinding(flow),
      accountId: acc?.id ?? null,
      channel: 'email',
      destination: acc?.email ?? flow.data.email,
      length: flow.data.codeLength ?? (await d.policies.deployment()).codeLength,
      validityMs,
    });
    if (!acc) return;
    const message = passwordResetCode(d.settings.portalName, acc.email, issued.code, validityMs);
    await d.outbox.enqueue(message, { notAfter: issued.expiresAt });
  }

  /** Sends a code to the account's phone for second_factor. */
  async function sendPhoneCode(
    flow: ResetFlow,
    acc: Account,
    factors: AccountFactors,
    channel: 'sms' | 'voice',
    origin: RequestOrigin,
  ) {
    const phone = factors.phone;
    if (!phone || !canReceive(phone.kind, channel)) throw new AppError('METHOD_NOT_AVAILABLE');
    await d.challenges.send({
      binding: phoneBinding(flow),
      target: { channel, to: phone.e164, country: phone.country },
      accountId: acc.id,
      ip: origin.ip,
      alternatives: channelsFor(phone.kind),
    });
    await d.audit.record({
      action: 'code.sent',
      actorId: acc.id,
      targetId: acc.id,
      origin,
      details: { channel, purpose: 'password_reset' },
    });
  }

  /**
   * Past the recovery code the account is known to the user, so its own policy applies: the
   * second factors it holds that its policy (an organisation's, maybe) lets it use.
   */
  async function secondFactorsOf(account: Account): Promise<SecondFactorContext> {
    const [factors, own] = await Promise.all([
      loadFactors(db, account.id),
      d.policies.forAccount(account.id),
    ]);
    return { factors, choices: resetSecondFactors(factors, own.factors) };
  }

  /** What a page may see of the account: only once the recovery code was right (second_factor). */
  const viewFactors = (flow: ResetFlow, acc: Account | undefined) =>
    flow.state === 'second_factor' && acc ? secondFactorsOf(acc) : Promise.resolve(undefined);

  /** A new ceremony for the account's usable passkeys (the recovery code is the other factor). */
  const passkeyRequest = (account: Account) => heldPasskeyCeremony(d, account.id);

  async function move(
    token: string,
    flow: ResetFlow,
    next: ResetState,
    data: ResetData,
  ): Promise<ResetView> {
    const kept = { ...data };
    delete kept.passkeyRequest;
    return present(token, await d.flows.save(flow, { state: next, data: kept }), undefined);
  }

  async function finish(flow: ResetFlow): Promise<ResetResult> {
    const data = { ...flow.data };
    delete data.newRecoveryCode;
    await d.flows.save(flow, { state: 'completed', data });
    return { status: 'completed', message: DONE_MESSAGE };
  }

  async function chooseSecondFactor({
    token,
    factor,
    origin,
  }: {
    token: string;
    factor: ResetSecondFactor;
    origin: RequestOrigin;
  }): Promise<ResetView> {
    const { flow, acc } = await load(token, 'second_factor');
    const account = requireAccount(acc);
    const second = await secondFactorsOf(account);
    if (!second.choices.includes(factor)) throw new AppError('METHOD_NOT_AVAILABLE');
    // The step's cooldown, whatever the channel (but a first switch): before the flow changes.
    const phone = factor === 'sms' || factor === 'voice' ? factor : undefined;
    if (phone && second.factors.phone)
      await d.challenges.assertMaySend({
        binding: phoneBinding(flow),
        target: { channel: phone, to: second.factors.phone.e164 },
      });
    const data: ResetData = { ...flow.data, secondFactor: factor };
    delete data.passkeyRequest;
    // The passkey again: a new ceremony (the old one is void, answered or not).
    if (factor === 'passkey') data.passkeyRequest = await passkeyRequest(account);
    const saved = await d.flows.save(flow, { state: flow.state, data });
    if (phone) await sendPhoneCode(saved, account, second.factors, phone, origin);
    return present(token, saved, second);
  }

  return {
    async start({ email, method, origin }) {
      // Before the account is known, only the deployment's policy answers: the methods offered,
      // the code's length. An account's own policy would tell an unknown address from a known one.
      const deployment = await d.policies.deployment();
      if (!deployment.passwordReset.includes(method))
        throw new AppError('RESET_METHOD_NOT_ALLOWED');
      const parsed = parseEmail(email);
      const key = emailKey(parsed.normalized);
      if (origin.ip)
        await hit(
          `reset-ip:${d.hasher.hash('ip', origin.ip)}`,
          10 * 60_000,
          RESET_LIMITS.perIpPer10Min,
        );
      await hit(`reset-email:${key}`, HOUR, RESET_LIMITS.perEmailPerHour);
      const found = await activeAccount(d.accounts.byEmailKey(parsed.normalized));
      // An organisation may allow fewer ways than the deployment (tighten.ts): say, the recovery
      // code only. Refusing such a member here would answer differently from an unknown address
      // (and tell who belongs to which organisation), so the reset goes on exactly as for an
      // address with no account: no account on the flow, a code issued that is sent nowhere, a
      // recovery code that never matches. The account's owner alone is told, by email after the
      // answer like the code itself, which ways their organisation allows. (One policy read on
      // either side, so the work is the same.)
      const own = found ? await d.policies.forAccount(found.id) : await d.policies.deployment();
      const acc = found && own.passwordReset.includes(method) ? found : undefined;
      const { token, flow } = await d.flows.create<ResetState, ResetData>({
        kind: FLOW_KIND,
        state: firstState[method],
        accountId: acc?.id ?? null,
        data: { method, email: parsed.display, proofs: [], codeLength: deployment.codeLength },
        ttlMs: FLOW_TTL_MS,
      });
      if (method === 'email') await issueEmailCode(flow, acc);
      if (found && !acc) {
        const notice = passwordResetWayNotAllowed(
          d.settings.portalName,
          found.email,
          method,
          own.passwordReset,
        );
        await d.outbox.enqueue(notice);
      }
      await d.audit.record({
        action: 'password_reset.requested',
        targetId: found?.id ?? null,
        origin,
        details: { method, ...(found && !acc ? { refused: 'organisation_policy' } : {}) },
      });
      return present(token, flow, undefined);
    },

    async view(token) {
      const { flow, acc } = await load(
        token,
        'email_code',
        'recovery_code',
        'second_factor',
        'new_password',
        'save_recovery_code',
      );
      return present(token, flow, await viewFactors(flow, acc));
    },

    async verifyCode({ token, code, origin }) {
      const { flow, acc } = await load(token, 'email_code', 'second_factor');
      if (flow.state === 'email_code') {
        await countedFirstStep(
          flow,
          acc,
          async () => {
            const result = await d.codes.verify(emailBinding(flow), code.trim());
            if (result.kind !== 'verified')
              return new Refused(result.kind, codeOutcomeError(result));
            return undefined;
          },
          origin,
        );
        const account = requireAccount(acc);
        const now = clock.now();
        // The code proved the inbox: an address never verified is verified now.
        await d.accounts.markEmailVerified(account.id, now);
        return move(token, flow, 'new_password', { ...flow.data, proofs: ['email'] });
      }
      const account = requireAccount(acc);
      const factor = flow.data.secondFactor;
      // A passkey is answered with an assertion (verifyPasskey), never with a code.
      if (factor === 'passkey') throw new AppError('FLOW_STATE_CONFLICT');
      if (factor === 'totp') {
        await d.totp.verify({ accountId: account.id, code, purpose: 'second_factor', origin });
      } else if (factor) {
        await checkCode(d, { binding: phoneBinding(flow), code, accountId: account.id, origin });
        await d.phones.touch(account.id, clock.now());
      } else throw new AppError('FLOW_STATE_CONFLICT');
      return move(token, flow, 'new_password', {
        ...flow.data,
        proofs: [...flow.data.proofs, factor],
      });
    },

    async recoveryCode({ token, code, origin }) {
      const { flow, acc } = await load(token, 'recovery_code');
      if (!acc) {
        await countedFirstStep(
          flow,
          acc,
          async () => {
            // The cost of checking a real code, for an address with none (S6).
            await d.passwords.verify(null, code);
            return new Refused('invalid', new AppError('RECOVERY_CODE_INVALID'));
          },
          origin,
        );
      }
      const account = requireAccount(acc);
      const codeId = await d.recovery.check({ account, code, origin });
      const second = await secondFactorsOf(account);
      const first = second.choices[0];
      if (!first) throw new AppError('RESET_NEEDS_SECOND_FACTOR');
      const data: ResetData = {
        ...flow.data,
        proofs: ['recovery_code'],
        recoveryCodeId: codeId,
        secondFactor: first,
      };
      if (first === 'passkey') data.passkeyRequest = await passkeyRequest(account);
      // Claim the move before sending (the table refuses it from any other step), so a double
      // submit sends once.
      const saved = await d.flows.save(flow, { state: 'second_factor', data });
      if (first === 'sms' || first === 'voice')
        await sendPhoneCode(saved, account, second.factors, first, origin);
      return present(token, saved, second);
    },

    async verifyPasskey({ token, response, origin }) {
      const { flow, acc } = await load(token, 'second_factor');
      const account = requireAccount(acc);
      if (flow.data.secondFactor !== 'passkey') throw new AppError('FLOW_STATE_CONFLICT');
      // Taken out of the flow before the answer is looked at (versioned write): a challenge is
      // answered once, also by concurrent submits. After a failure, choosing the passkey again
      // makes a new ceremony.
      const data = { ...flow.data };
      delete data.passkeyRequest;
      const claimed = await d.flows.save(flow, { state: flow.state, data });
      const challenge = liveChallenge(flow.data.passkeyRequest, clock.now());
      // Only this account's passkeys, counted like every second-factor secret (S5).
      await d.passkey.verify({
        accountId: account.id,
        response,
        challenge,
        purpose: 'second_factor',
        origin,
      });
      return move(token, claimed, 'new_password', {
        ...claimed.data,
        proofs: [...claimed.data.proofs, 'passkey'],
      });
    },

    chooseSecondFactor,

    async resendCode({ token, origin }) {
      const { flow, acc } = await load(token, 'email_code', 'second_factor');
      if (flow.state === 'second_factor') {
        const factor = flow.data.secondFactor;
        if (factor !== 'sms' && factor !== 'voice') throw new AppError('FLOW_STATE_CONFLICT');
        return chooseSecondFactor({ token, factor, origin });
      }
      await d.challenges.assertMaySend({
        binding: emailBinding(flow),
        target: { channel: 'email', to: acc?.email ?? flow.data.email },
      });
      await hit(
        `reset-email:${emailKey(parseEmail(flow.data.email).normalized)}`,
        HOUR,
        RESET_LIMITS.perEmailPerHour,
      );
      // Claims the flow's version first, so a double-clicked resend sends once.
      const saved = await d.flows.save(flow, { state: flow.state, data: flow.data });
      await issueEmailCode(saved, acc);
      return present(token, saved, await viewFactors(saved, acc));
    },

    async setPassword({ token, password, endSessions, origin }) {
      const { flow, acc } = await load(token, 'new_password');
      const account = requireAccount(acc);
      const normalized = checkPassword(password, {
        minLength: d.settings.passwordMinLength,
        email: account.email,
        portalName: d.settings.portalName,
      });
      const passwordHash = await d.passwords.hash(normalized);
      const spent = flow.data.recoveryCodeId;
      const next: ResetState = spent ? 'save_recovery_code' : 'completed';
      // One unit (S32): the claim, the password, the ended sessions, the audit event and the
      // notice commit together. The claim comes first: of two concurrent submits, one sets it.
      const done = await d.units.transaction(async () => {
        const claimed = await d.flows.save(flow, { state: next, data: flow.data });
        if (spent && !(await d.recovery.consume(account, spent, origin)))
          return { claimed, spentElsewhere: true };
        await d.accounts.setPassword(account.id, passwordHash, clock.now());
        // Proving who they are lifts the password lock (throttle: "until reset by a recovery").
        await d.throttle.reset(`password:${emailKey(account.email_normalized)}`);
        const sessionsEnded = endSessions ? await d.sessions.endAll(account.id) : 0;
        await d.audit.record({
          action: 'password_reset.completed',
          actorId: account.id,
          targetId: account.id,
          origin,
          details: { proofs: flow.data.proofs.join('+'), sessionsEnded },
        });
        const how = flow.data.proofs.map((p) => proofWords[p]).join(' and ');
        await d.notify(
          securityNotice(
            d.settings.portalName,
            account.email,
            `Your password was reset, after you confirmed it was you with ${how}.` +
              (spent
                ? ' Your recovery code was used and no longer works; a new one was shown.'
                : '') +
              (endSessions ? ' You were signed out everywhere.' : ''),
          ),
        );
        return { claimed, spentElsewhere: false };
      });
      const { claimed } = done;
      if (done.spentElsewhere) {
        await d.flows.save(claimed, { state: 'completed', data: flow.data });
        throw new AppError('RECOVERY_CODE_INVALID', {
          message:
            'Your recovery code stopped working while you were resetting your password (it was used or replaced). Start again.',
        });
      }
      if (!spent) return { status: 'completed', message: DONE_MESSAGE };
      const { code, record } = await d.recovery.issue(account, 'after_use', origin);
      const sealed = d.box.seal(Buffer.from(code), recoveryAad(claimed.id));
      const data: ResetData = {
        ...flow.data,
        newRecoveryCode: { ...sealed, createdAt: record.created_at },
      };
      delete data.recoveryCodeId;
      const saved = await d.flows.save(claimed, { state: next, data });
      return { status: 'continue', view: await present(token, saved, undefined) };
    },

    async recoveryCodeSaved({ token, origin }) {
      const { flow, acc } = await load(token, 'save_recovery_code');
      await d.recovery.markSaved(requireAccount(acc), origin);
      return finish(flow);
    },
  };
}
