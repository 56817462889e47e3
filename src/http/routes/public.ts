/** Public routes: configuration for pages, sign-up, invitations, sign-in flow. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PASSWORD_MAX_LENGTH } from '../../factors/password/rules.js';
import type { SignInResult as SignInServiceResult } from '../../flows/sign-in/service.js';
import type { RouteServices } from '../../services.js';
import { presentFlow, presentSession, presentUser } from '../present.js';
import {
  Code,
  Email,
  errors,
  oneTimeCodeErrors,
  passwordRuleErrors,
  phoneNumberErrors,
  ChannelChoice,
  FlowToken,
  InvitationToken,
  PhoneChannel,
  PhoneNumber,
  FlowView,
  Message,
  Password,
  SignInResult,
  Timestamp,
} from '../schemas.js';
import { setSessionCookie, type CookiePolicy } from '../session-cookie.js';
import { AppError } from '../../errors/app-error.js';
import { ipLimit } from '../rate-limit.js';

export function origin(request: FastifyRequest) {
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null };
}

/** A sign-in result as the API answers it; a session sets the cookie. */
export function signInAnswer(s: RouteServices, cookie: CookiePolicy) {
  return (reply: FastifyReply, result: SignInServiceResult) => {
    if (result.status === 'continue')
      return { status: 'continue' as const, flow: presentFlow(result.view) };
    if (result.status === 'restart') return { status: 'restart' as const, message: result.message };
    setSessionCookie(reply, cookie, result.token);
    return {
      status: 'signed_in' as const,
      user: presentUser(result.account),
      session: presentSession(result.session, s.config.sessionIdleMs),
    };
  };
}

export function registerPublicRoutes(
  app: FastifyInstance,
  s: RouteServices,
  cookie: CookiePolicy,
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['public'];

  const answer = signInAnswer(s, cookie);

  r.get(
    '/api/v1/config',
    {
      schema: {
        tags,
        summary: 'What the hosted pages need to know about this deployment',
        response: {
          200: Type.Object({
            portalName: Type.String(),
            policy: Type.String({
              description:
                "The preset the policy is or extends (email-first, strong-mfa or sms-required): it sets the pages' wording.",
            }),
            selfSignUp: Type.Boolean(),
            passwordReset: Type.Array(
              Type.Union([Type.Literal('email'), Type.Literal('recovery_code')]),
              {
                description:
                  'How a forgotten password may be reset, in the order offered (see /api/v1/password-reset).',
              },
            ),
            passwordMinLength: Type.Integer(),
            passwordMaxLength: Type.Integer(),
            devOutbox: Type.Boolean(),
          }),
        },
      },
    },
    async () => {
      // The deployment's policy as it is now (an administrator may have changed it).
      const policy = await s.policies.deployment();
      return {
        portalName: s.config.portalName,
        policy: policy.preset,
        selfSignUp: s.config.selfSignUp,
        passwordReset: policy.passwordReset,
        passwordMinLength: s.config.passwordMinLength,
        passwordMaxLength: PASSWORD_MAX_LENGTH,
        devOutbox: s.devOutbox,
      };
    },
  );

  r.post(
    '/api/v1/sign-up',
    {
      config: { rateLimit: ipLimit(s.config, 'signUp') },
      schema: {
        tags,
        summary: 'Create an account (answers the same whether or not the email is taken)',
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: {
          202: Message,
          ...errors('INVALID_EMAIL', ...passwordRuleErrors, 'SIGN_UP_DISABLED'),
        },
      },
    },
    async (request, reply) => {
      if (!s.config.selfSignUp) throw new AppError('SIGN_UP_DISABLED');
      await s.accounts.signUp({ ...request.body, origin: origin(request) });
      return reply.code(202).send({
        message:
          'Your account is ready unless this email already has one — then we emailed you. Sign in to continue; we will ask you to verify your email address.',
      });
    },
  );

  r.post(
    '/api/v1/invitations/lookup',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary: 'Check an invitation link and show whose it is',
        body: Type.Object({ token: InvitationToken }, { additionalProperties: false }),
        response: {
          200: Type.Object({ email: Type.String(), expiresAt: Timestamp }),
          ...errors('INVITATION_INVALID'),
        },
      },
    },
    async (request) => {
      const inv = await s.accounts.lookupInvitation(request.body.token);
      return { email: inv.email, expiresAt: new Date(inv.expiresAt).toISOString() };
    },
  );

  r.post(
    '/api/v1/invitations/accept',
    {
      config: { rateLimit: ipLimit(s.config, 'public') },
      schema: {
        tags,
        summary: 'Accept an invitation by setting a password',
        body: Type.Object(
          { token: InvitationToken, password: Password },
          { additionalProperties: false },
        ),
        response: { 200: Message, ...errors('INVITATION_INVALID', ...passwordRuleErrors) },
      },
    },
    async (request) => {
      await s.accounts.acceptInvitation({ ...request.body, origin: origin(request) });
      return { message: 'Your password is set. Sign in to continue.' };
    },
  );

  r.post(
    '/api/v1/sign-in',
    {
      config: { rateLimit: ipLimit(s.config, 'signIn') },
      schema: {
        tags,
        summary: 'Sign in with email and password',
        body: Type.Object({ email: Email, password: Password }, { additionalProperties: false }),
        response: {
          200: SignInResult,
          ...errors(
            'INVALID_CREDENTIALS',
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
            'ACCOUNT_DISABLED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request, reply) =>
      answer(reply, await s.signIn.start({ ...request.body, origin: origin(request) })),
  );

  r.post(
    '/api/v1/sign-in/flow',
    {
      schema: {
        tags,
        summary: 'The current step of a sign-in flow',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: {
          200: Type.Object({ status: Type.Literal('continue'), flow: FlowView }),
          ...errors('FLOW_NOT_FOUND', 'FLOW_STATE_CONFLICT'),
        },
      },
    },
    async (request) => ({
      status: 'continue' as const,
      flow: presentFlow(await s.signIn.view(request.body.flow)),
    }),
  );

  // One handler for every code step; /verify-email is the same, limited to the email step.
  const codeRoutes = [
    {
      url: '/api/v1/sign-in/verify-code',
      only: undefined,
      summary: 'Enter the code of the current step ("Verify Code")',
    },
    {
      url: '/api/v1/sign-in/verify-email',
      only: 'verify_email' as const,
      summary: 'Verify the email address with the code sent to it',
    },
  ];
  for (const route of codeRoutes) {
    r.post(
      route.url,
      {
        schema: {
          tags,
          summary: route.summary,
          body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
          response: {
            200: SignInResult,
            ...errors(
              'FLOW_NOT_FOUND',
              'FLOW_STATE_CONFLICT',
              ...oneTimeCodeErrors,
              'CODE_ALREADY_USED',
              'RECOVERY_CODE_INVALID',
              'TOO_MANY_ATTEMPTS',
              'ACCOUNT_LOCKED',
            ),
          },
        },
      },
      async (request, reply) =>
        answer(
          reply,
          await s.signIn.verifyCode({
            token: request.body.flow,
            code: request.body.code,
            origin: origin(request),
            ...(route.only ? { only: route.only } : {}),
          }),
        ),
    );
  }

  r.post(
    '/api/v1/sign-in/resend-code',
    {
      schema: {
        tags,
        summary: 'Send a new code (the old one stops working)',
        body: Type.Object(
          { flow: FlowToken, channel: Type.Optional(ChannelChoice) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ status: Type.Literal('continue'), flow: FlowView }),
          ...errors(
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            'CHANNEL_NOT_AVAILABLE',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'SEND_BUDGET_EXHAUSTED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request) => ({
      status: 'continue' as const,
      flow: presentFlow(
        await s.signIn.resendCode({
          token: request.body.flow,
          ...(request.body.channel ? { channel: request.body.channel } : {}),
          origin: origin(request),
        }),
      ),
    }),
  );

  r.post(
    '/api/v1/sign-in/phone',
    {
      schema: {
        tags,
        summary: 'Register a phone at sign-in ("Send Verification Code"); a code goes to it',
        body: Type.Object(
          { flow: FlowToken, phone: PhoneNumber, channel: PhoneChannel },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ status: Type.Literal('continue'), flow: FlowView }),
          ...errors(
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
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
      status: 'continue' as const,
      flow: presentFlow(
        await s.signIn.submitPhone({
          token: request.body.flow,
          phone: request.body.phone,
          channel: request.body.channel,
          origin: origin(request),
        }),
      ),
    }),
  );

  r.post(
    '/api/v1/sign-in/method',
    {
      schema: {
        tags,
        summary:
          'In the second-factor step: use a passkey (a new ceremony), the authenticator app or the recovery code instead',
        body: Type.Object(
          {
            flow: FlowToken,
            method: Type.Union([
              Type.Literal('passkey'),
              Type.Literal('totp'),
              Type.Literal('recovery_code'),
            ]),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ status: Type.Literal('continue'), flow: FlowView }),
          ...errors('FLOW_NOT_FOUND', 'FLOW_STATE_CONFLICT', 'METHOD_NOT_AVAILABLE'),
        },
      },
    },
    async (request) => ({
      status: 'continue' as const,
      flow: presentFlow(
        await s.signIn.chooseMethod({ token: request.body.flow, method: request.body.method }),
      ),
    }),
  );

  r.post(
    '/api/v1/sign-in/recovery-code-saved',
    {
      schema: {
        tags,
        summary: 'The user saved the recovery code shown in this sign-in; go on',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: { 200: SignInResult, ...errors('FLOW_NOT_FOUND', 'FLOW_STATE_CONFLICT') },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await s.signIn.recoveryCodeSaved({ token: request.body.flow, origin: origin(request) }),
      ),
  );

  r.post(
    '/api/v1/sign-in/skip',
    {
      schema: {
        tags,
        summary:
          '"Skip for Now": go on without meeting the policy minimum (a phone, an app, a passkey), while the policy allows it',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: { 200: SignInResult, ...errors('FLOW_NOT_FOUND', 'FLOW_STATE_CONFLICT') },
      },
    },
    async (request, reply) =>
      answer(reply, await s.signIn.skip({ token: request.body.flow, origin: origin(request) })),
  );
}
