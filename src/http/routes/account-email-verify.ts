/**
 * "Verify Email Address" (seed 000's security page): a code to the account's own address, then
 * that code records the address as verified now. Signed in; no step-up (nothing changes but the
 * date the address was last proved); the sends count against an hourly limit per account.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { EmailChangeView } from '../../accounts/email-change.js';
import type { RouteServices } from '../../services.js';
import { signedIn } from '../auth.js';
import { presentCode } from '../present.js';
import { Code, CodeView, errors, FlowToken, oneTimeCodeErrors, Timestamp } from '../schemas.js';
import { origin } from './public.js';

const EmailVerifyFlow = Type.Object({
  flow: FlowToken,
  destination: Type.String({
    description: "The account's address, masked (`*****@example.com`): where the code went.",
  }),
  code: CodeView,
});
const present = (v: EmailChangeView) => ({ flow: { ...v, code: presentCode(v.code) } });
const sendErrors = ['SEND_LIMIT_REACHED', 'DELIVERY_FAILED'] as const;

export function registerEmailVerifyRoutes(app: FastifyInstance, s: RouteServices): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['account'];

  r.post(
    '/api/v1/account/email/verify',
    {
      schema: {
        tags,
        summary: "Send a code to the account's own address, to verify it again",
        response: {
          200: Type.Object({ flow: EmailVerifyFlow }),
          ...errors('UNAUTHENTICATED', ...sendErrors),
        },
      },
    },
    async (request) => present(await s.verifyEmail.start(signedIn(request), origin(request))),
  );

  r.post(
    '/api/v1/account/email/verify/resend',
    {
      schema: {
        tags,
        summary: 'Send a new code to the address (the old code stops working)',
        body: Type.Object({ flow: FlowToken }, { additionalProperties: false }),
        response: {
          200: Type.Object({ flow: EmailVerifyFlow }),
          ...errors(
            'UNAUTHENTICATED',
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            'RESEND_TOO_SOON',
            ...sendErrors,
          ),
        },
      },
    },
    async (request) =>
      present(await s.verifyEmail.resend(signedIn(request), request.body.flow, origin(request))),
  );

  r.post(
    '/api/v1/account/email/verify/confirm',
    {
      schema: {
        tags,
        summary: 'Confirm the code: the address is recorded as verified now',
        body: Type.Object({ flow: FlowToken, code: Code }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            email: Type.Object({
              address: Type.String({ description: 'The address, masked.' }),
              verifiedAt: Timestamp,
            }),
          }),
          ...errors(
            'UNAUTHENTICATED',
            'FLOW_NOT_FOUND',
            'FLOW_STATE_CONFLICT',
            ...oneTimeCodeErrors,
            'TOO_MANY_ATTEMPTS',
            'ACCOUNT_LOCKED',
          ),
        },
      },
    },
    async (request) => ({
      email: await s.verifyEmail.confirm(
        signedIn(request),
        request.body.flow,
        request.body.code,
        origin(request),
      ),
    }),
  );
}
