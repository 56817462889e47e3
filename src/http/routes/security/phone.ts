/**
 * Adding, changing or removing the phone (S11, S20, S21): a new number is saved only once a code
 * sent to it confirms it; removing needs a step-up and is refused while the policy needs it.
 * `PhoneInfo` is how the security page shows the saved phone (masked).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { EnrolmentView } from '../../../factors/phone/service.js';
import { channelsFor, maskPhone } from '../../../factors/phone/numbers.js';
import type { RouteServices } from '../../../services.js';
import type { Phone } from '../../../store/schema.js';
import { signedIn } from '../../auth.js';
import { presentCode } from '../../present.js';
import {
  Code,
  codeSendErrors,
  EnrolmentView as EnrolmentViewSchema,
  errors,
  oneTimeCodeErrors,
  phoneNumberErrors,
  FlowToken,
  PhoneChannel,
  PhoneNumber,
  Timestamp,
} from '../../schemas.js';
import { origin } from '../origin.js';
import { iso, isoOrNull } from './time.js';

export const PhoneInfo = Type.Object({
  number: Type.String({ description: 'Masked: only the last three digits show.' }),
  kind: Type.Union([Type.Literal('mobile'), Type.Literal('landline')]),
  channels: Type.Array(PhoneChannel),
  verifiedAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
});

export const presentPhone = (phone: Phone) => ({
  number: maskPhone(phone.e164),
  kind: phone.kind,
  channels: channelsFor(phone.kind),
  verifiedAt: iso(phone.verified_at),
  lastUsedAt: isoOrNull(phone.last_used_at),
});

const presentView = (view: EnrolmentView) => ({ ...view, code: presentCode(view.code) });

export function registerPhoneRoutes(app: FastifyInstance, services: RouteServices): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['account security'];

  routes.post(
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
            ...codeSendErrors,
          ),
        },
      },
    },
    async (request) => ({
      flow: presentView(
        await services.phone.start(signedIn(request), request.body, origin(request)),
      ),
    }),
  );

  routes.post(
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
          // A resend sends as the start does; a landline takes no text.
          ...errors(
            'UNAUTHENTICATED',
            'FLOW_NOT_FOUND',
            'CHANNEL_NOT_AVAILABLE',
            ...codeSendErrors,
          ),
        },
      },
    },
    async (request) => ({
      flow: presentView(
        await services.phone.resend(
          signedIn(request),
          request.body.flow,
          request.body.channel,
          origin(request),
        ),
      ),
    }),
  );

  routes.post(
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
      await services.phone.confirm(auth, request.body.flow, request.body.code, origin(request));
      const phone = await services.factors.phone(auth.account.id);
      if (!phone) throw new Error('phone vanished after confirmation');
      return { phone: presentPhone(phone) };
    },
  );

  routes.delete(
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
      await services.phone.remove(signedIn(request), origin(request));
      return reply.code(204).send(null);
    },
  );
}
