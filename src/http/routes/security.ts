/**
 * The account security page's routes (signed-in context): what the account has, step-up with an
 * enrolled factor (S20), adding, changing or removing the phone (S11, S20, S21) and the
 * authenticator app (S12, S13), and the recovery code (S14).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { maskEmail } from '../../accounts/email.js';
import type { EnrolmentView } from '../../factors/phone/service.js';
import { channelsFor, maskPhone } from '../../factors/phone/numbers.js';
import { formatRecoveryCode } from '../../factors/recovery/code.js';
import type { IssuedRecoveryCode } from '../../factors/recovery/service.js';
import type { StepUpView as StepUpViewData } from '../../flows/step-up/service.js';
import type { Services } from '../../services.js';
import { signedIn } from '../auth.js';
import { presentCeremony, presentCode, presentPasskey } from '../present.js';
import {
  Code,
  EnrolmentView as EnrolmentViewSchema,
  errors,
  oneTimeCodeErrors,
  phoneNumberErrors,
  FlowToken,
  PasskeyInfo,
  PhoneChannel,
  PhoneNumber,
  RecoveryCodeShown,
  StepUpMethod,
  StepUpView,
  Timestamp,
  TotpEnrolment,
  TotpInfo,
} from '../schemas.js';
import { setSessionCookie, type CookiePolicy } from '../session-cookie.js';
import { origin } from './public.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const presentView = (v: EnrolmentView) => ({ ...v, code: presentCode(v.code) });
const presentStepUp = (v: StepUpViewData) => ({
  ...v,
  code: presentCode(v.code),
  passkey: presentCeremony(v.passkey),
});

const presentRecoveryCode = ({ code, record }: IssuedRecoveryCode) => ({
  code: formatRecoveryCode(code),
  digits: record.digits,
  createdAt: iso(record.created_at),
});

const PhoneInfo = Type.Object({
  number: Type.String({ description: 'Masked: only the last three digits show.' }),
  kind: Type.Union([Type.Literal('mobile'), Type.Literal('landline')]),
  channels: Type.Array(PhoneChannel),
  verifiedAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
});

export function registerSecurityRoutes(
  app: FastifyInstance,
  s: Services,
  cookie: CookiePolicy,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['account security'];

  r.get(
    '/api/v1/account/security',
    {
      schema: {
        tags,
        summary: 'The sign-in methods of the signed-in user, masked',
        response: {
          200: Type.Object({
            policy: Type.String(),
            email: Type.Object({ address: Type.String(), verified: Type.Boolean() }),
            phone: Type.Union([PhoneInfo, Type.Null()]),
            totp: Type.Union([TotpInfo, Type.Null()], { description: 'The authenticator app.' }),
            passkeys: Type.Array(PasskeyInfo, { description: 'The passkeys, oldest first.' }),
            recoveryCode: Type.Union(
              [
                Type.Object({
                  createdAt: Timestamp,
                  savedAt: Type.Union([Timestamp, Type.Null()]),
                  digits: Type.Integer(),
                }),
                Type.Null(),
              ],
              { description: 'The live recovery code (never the code itself).' },
            ),
            recoveryCodeRequired: Type.Boolean({
              description: 'Whether the policy requires every user to keep a recovery code.',
            }),
            stepUp: Type.Object({
              validUntil: Type.Union([Timestamp, Type.Null()], {
                description: 'Changes are allowed until then.',
              }),
              methods: Type.Array(StepUpMethod),
            }),
            phoneRemovable: Type.Boolean(),
            totpRemovable: Type.Boolean(),
          }),
          ...errors('UNAUTHENTICATED'),
        },
      },
    },
    async (request) => {
      const auth = signedIn(request);
      const [{ phone, totp }, recovery, policy, mayRemove] = await Promise.all([
        s.factors.of(auth.account.id),
        s.recovery.live(auth.account.id),
        s.policies.forAccount(auth.account.id),
        s.factors.removable(auth.account),
      ]);
      // A flagged passkey never counts towards the minimum, so it may always go.
      const passkeyList = (await s.passkey.list(auth.account.id)).map((p) =>
        presentPasskey(p, p.flagged_at !== null || mayRemove('passkey')),
      );
      const until = await s.stepUp.freshUntil(auth);
      return {
        policy: policy.name,
        email: {
          address: maskEmail(auth.account.email),
          verified: auth.account.email_verified_at !== null,
        },
        phone: phone
          ? {
              number: maskPhone(phone.e164),
              kind: phone.kind,
              channels: channelsFor(phone.kind),
              verifiedAt: iso(phone.verified_at),
              lastUsedAt: isoOrNull(phone.last_used_at),
            }
          : null,
        totp: totp ? { addedAt: iso(totp.addedAt), lastUsedAt: isoOrNull(totp.lastUsedAt) } : null,
        passkeys: passkeyList,
        recoveryCode: recovery
          ? {
              createdAt: iso(recovery.created_at),
              savedAt: isoOrNull(recovery.saved_at),
              digits: recovery.digits,
            }
          : null,
        recoveryCodeRequired: policy.recoveryCode.required,
        stepUp: {
          validUntil: until !== null && until > s.clock.now() ? iso(until) : null,
          methods: await s.stepUp.methods(auth.account),
        },
        phoneRemovable: mayRemove('phone'),
        totpRemovable: mayRemove('totp'),
      };
    },
  );

  r.post(
    '/api/v1/step-up/start',
    {
      schema: {
        tags,
        summary:
          'Verify your identity again with a factor you already have: the authenticator app, or a code sent to you',
        body: Type.Object({ channel: StepUpMethod }, { additionalProperties: false }),
        response: {
          200: Type.Object({ flow: StepUpView }),
          ...errors(
            'UNAUTHENTICATED',
            'METHOD_NOT_AVAILABLE',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request) => ({
      flow: presentStepUp(
        await s.stepUp.start(signedIn(request), request.body.channel, origin(request)),
      ),
    }),
  );

  r.post(
    '/api/v1/step-up/resend',
    {
      schema: {
        tags,
        summary: 'Send a new step-up code, or switch method',
        body: Type.Object(
          { flow: FlowToken, channel: Type.Optional(StepUpMethod) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ flow: StepUpView }),
          ...errors('UNAUTHENTICATED', 'FLOW_NOT_FOUND', 'RESEND_TOO_SOON'),
        },
      },
    },
    async (request) => ({
      flow: presentStepUp(
        await s.stepUp.resend(
          signedIn(request),
          request.body.flow,
          request.body.channel,
          origin(request),
        ),
      ),
    }),
  );

  r.post(
    '/api/v1/step-up/verify',
    {
      schema: {
        tags,
        summary: 'Enter the step-up code; the session gets a new token',
        body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
        response: {
          200: Type.Object({ validUntil: Timestamp }),
          ...errors(
            'UNAUTHENTICATED',
            'FLOW_NOT_FOUND',
            ...oneTimeCodeErrors,
            'CODE_ALREADY_USED',
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
          ),
        },
      },
    },
    async (request, reply) => {
      const { token, session } = await s.stepUp.verify(
        signedIn(request),
        request.body.flow,
        request.body.code,
        origin(request),
      );
      setSessionCookie(reply, cookie, token);
      return { validUntil: iso((await s.stepUp.validUntil(session)) ?? s.clock.now()) };
    },
  );

  r.post(
    '/api/v1/phone/start',
    {
      schema: {
        tags,
        summary: 'Add or change the phone ("Verify Mobile Number"): a code goes to the new number',
        body: Type.Object(
          { phone: PhoneNumber, channel: PhoneChannel },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ flow: EnrolmentViewSchema }),
          ...errors(
            'UNAUTHENTICATED',
            'STEP_UP_REQUIRED',
            'FACTOR_NOT_ALLOWED',
            ...phoneNumberErrors,
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'SEND_BUDGET_EXHAUSTED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request) => ({
      flow: presentView(await s.phone.start(signedIn(request), request.body, origin(request))),
    }),
  );

  r.post(
    '/api/v1/phone/resend',
    {
      schema: {
        tags,
        summary: '"Resend code" (or switch between text and call)',
        body: Type.Object(
          { flow: FlowToken, channel: Type.Optional(PhoneChannel) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ flow: EnrolmentViewSchema }),
          ...errors('UNAUTHENTICATED', 'FLOW_NOT_FOUND', 'RESEND_TOO_SOON'),
        },
      },
    },
    async (request) => ({
      flow: presentView(
        await s.phone.resend(
          signedIn(request),
          request.body.flow,
          request.body.channel,
          origin(request),
        ),
      ),
    }),
  );

  r.post(
    '/api/v1/phone/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm the new number with its code ("Submit"); only then is it saved',
        body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
        response: {
          200: Type.Object({ phone: PhoneInfo }),
          ...errors('UNAUTHENTICATED', 'FLOW_NOT_FOUND', ...oneTimeCodeErrors, 'TOO_MANY_ATTEMPTS'),
        },
      },
    },
    async (request) => {
      const auth = signedIn(request);
      await s.phone.confirm(auth, request.body.flow, request.body.code, origin(request));
      const phone = await s.phones.find(auth.account.id);
      if (!phone) throw new Error('phone vanished after confirmation');
      return {
        phone: {
          number: maskPhone(phone.e164),
          kind: phone.kind,
          channels: channelsFor(phone.kind),
          verifiedAt: iso(phone.verified_at),
          lastUsedAt: isoOrNull(phone.last_used_at),
        },
      };
    },
  );

  r.delete(
    '/api/v1/phone',
    {
      schema: {
        tags,
        summary:
          'Remove the phone (needs a step-up; refused when it is the required second factor)',
        response: {
          204: Type.Null(),
          ...errors('UNAUTHENTICATED', 'STEP_UP_REQUIRED', 'PHONE_NOT_FOUND', 'FACTOR_REQUIRED'),
        },
      },
    },
    async (request, reply) => {
      await s.phone.remove(signedIn(request), origin(request));
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/totp/start',
    {
      schema: {
        tags,
        summary:
          'Add or replace the authenticator app: a new key and QR code, saved only once a code confirms it',
        response: {
          200: Type.Object({ enrolment: TotpEnrolment }),
          ...errors('UNAUTHENTICATED', 'STEP_UP_REQUIRED', 'FACTOR_NOT_ALLOWED'),
        },
      },
    },
    async (request) => {
      const e = await s.totp.start(signedIn(request));
      return { enrolment: { ...e, expiresAt: iso(e.expiresAt) } };
    },
  );

  r.post(
    '/api/v1/totp/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm the new authenticator app with a code it shows; only then is it saved',
        body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
        response: {
          200: Type.Object({ totp: TotpInfo }),
          ...errors(
            'UNAUTHENTICATED',
            'STEP_UP_REQUIRED',
            'FLOW_NOT_FOUND',
            'CODE_INVALID',
            'TOO_MANY_ATTEMPTS',
          ),
        },
      },
    },
    async (request) => {
      const saved = await s.totp.confirm(
        signedIn(request),
        request.body.flow,
        request.body.code,
        origin(request),
      );
      return {
        totp: { addedAt: iso(saved.created_at), lastUsedAt: isoOrNull(saved.last_used_at) },
      };
    },
  );

  r.delete(
    '/api/v1/totp',
    {
      schema: {
        tags,
        summary: 'Remove the authenticator app (needs a step-up; refused when the policy needs it)',
        response: {
          204: Type.Null(),
          ...errors('UNAUTHENTICATED', 'STEP_UP_REQUIRED', 'TOTP_NOT_FOUND', 'FACTOR_REQUIRED'),
        },
      },
    },
    async (request, reply) => {
      await s.totp.remove(signedIn(request), origin(request));
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/v1/recovery-code',
    {
      schema: {
        tags,
        summary:
          '"Get a new code": a new recovery code, shown once; the old one stops working (needs a step-up)',
        response: {
          200: Type.Object({ recoveryCode: RecoveryCodeShown() }),
          ...errors('UNAUTHENTICATED', 'STEP_UP_REQUIRED'),
        },
      },
    },
    async (request) => ({
      recoveryCode: presentRecoveryCode(
        await s.recovery.regenerate(signedIn(request), origin(request)),
      ),
    }),
  );

  r.post(
    '/api/v1/recovery-code/saved',
    {
      schema: {
        tags,
        summary: 'The user confirms they saved the recovery code',
        response: {
          204: Type.Null(),
          ...errors('UNAUTHENTICATED', 'RECOVERY_CODE_NOT_FOUND'),
        },
      },
    },
    async (request, reply) => {
      await s.recovery.markSaved(signedIn(request).account, origin(request));
      return reply.code(204).send(null);
    },
  );
}
