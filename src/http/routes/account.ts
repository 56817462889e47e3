/** The signed-in user's own account: the password, the email address, recent security activity (issue 6). */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { EmailChangeView } from '../../accounts/email-change.js';
import type { RouteServices } from '../../services.js';
import { signedIn } from '../auth.js';
import { presentCode } from '../present.js';
import {
  Code,
  CodeView,
  Email,
  errors,
  FlowToken,
  oneTimeCodeErrors,
  Password,
  passwordRuleErrors,
  Timestamp,
} from '../schemas.js';
import { origin } from './public.js';

const EmailChangeFlow = Type.Object({
  flow: FlowToken,
  destination: Type.String({
    description: 'The new address, masked (`*****@example.com`): where the code went.',
  }),
  code: CodeView,
});
const presentEmailChange = (v: EmailChangeView) => ({ ...v, code: presentCode(v.code) });

export function registerAccountRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['account'];

  r.post(
    '/api/v1/account/password',
    {
      schema: {
        tags,
        summary: 'Change the password (a fresh step-up and the current password)',
        body: Type.Object(
          {
            currentPassword: Password,
            newPassword: Password,
            endOtherSessions: Type.Boolean({
              description:
                'End every other session of the account ("Sign out of my other devices").',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            sessionsEnded: Type.Integer({ description: 'Other sessions ended.' }),
          }),
          ...errors(
            'UNAUTHENTICATED',
            'STEP_UP_REQUIRED',
            'CURRENT_PASSWORD_INVALID',
            ...passwordRuleErrors,
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
          ),
        },
      },
    },
    async (request) => s.changePassword(signedIn(request), request.body, origin(request)),
  );

  r.post(
    '/api/v1/account/email',
    {
      schema: {
        tags,
        summary:
          'Change the email address (a fresh step-up): a code goes to the new address; the same answer whether or not the address is registered',
        body: Type.Object({ newEmail: Email }, { additionalProperties: false }),
        response: {
          200: Type.Object({ flow: EmailChangeFlow }),
          ...errors(
            'UNAUTHENTICATED',
            'STEP_UP_REQUIRED',
            'INVALID_EMAIL',
            'EMAIL_UNCHANGED',
            'SEND_LIMIT_REACHED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request) => ({
      flow: presentEmailChange(
        await s.changeEmail.start(signedIn(request), request.body.newEmail, origin(request)),
      ),
    }),
  );

  r.post(
    '/api/v1/account/email/resend',
    {
      schema: {
        tags,
        summary: 'Send a new code to the new address (the old code stops working)',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: {
          200: Type.Object({ flow: EmailChangeFlow }),
          ...errors(
            'UNAUTHENTICATED',
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            'RESEND_TOO_SOON',
            'SEND_LIMIT_REACHED',
            'DELIVERY_FAILED',
          ),
        },
      },
    },
    async (request) => ({
      flow: presentEmailChange(
        await s.changeEmail.resend(signedIn(request), request.body.flow, origin(request)),
      ),
    }),
  );

  r.post(
    '/api/v1/account/email/confirm',
    {
      schema: {
        tags,
        summary:
          "Confirm the new address with its code: it becomes the account's email, verified; the old address is told",
        body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            email: Type.Object({
              address: Type.String({ description: 'The new address, masked.' }),
              verified: Type.Boolean(),
            }),
          }),
          ...errors(
            'UNAUTHENTICATED',
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            ...oneTimeCodeErrors,
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
            'EMAIL_UNAVAILABLE',
          ),
        },
      },
    },
    async (request) => ({
      email: await s.changeEmail.confirm(
        signedIn(request),
        request.body.flow,
        request.body.code,
        origin(request),
      ),
    }),
  );

  r.get(
    '/api/v1/account/activity',
    {
      schema: {
        tags,
        summary: 'Recent security activity: sign-ins, failed attempts, changes, resets',
        response: {
          200: Type.Object({
            events: Type.Array(
              Type.Object({
                action: Type.String({ description: 'The audit action (`sign_in.succeeded`, …).' }),
                description: Type.String({ description: 'In plain words, for the page.' }),
                at: Timestamp,
                ip: Type.Union([Type.String(), Type.Null()]),
                userAgent: Type.Union([Type.String(), Type.Null()]),
                methods: Type.Union([Type.String(), Type.Null()], {
                  description: 'For a sign-in: the methods used (`pwd+otp`).',
                }),
              }),
            ),
          }),
          ...errors('UNAUTHENTICATED'),
        },
      },
    },
    async (request) => {
      const events = await s.activity(signedIn(request).account.id);
      return { events: events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })) };
    },
  );
}
