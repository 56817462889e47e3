/**
 * The security page's summary (`GET /api/v1/account/security`): the account's sign-in methods,
 * masked, which of them it may remove now, its recovery code (never the code itself) and how long
 * a step-up still allows changes, and an administrator's MFA exemption while it lasts.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { maskEmail } from '../../../accounts/email.js';
import type { RouteServices } from '../../../services.js';
import { signedIn } from '../../auth.js';
import { presentPasskey } from '../../present.js';
import { errors, PasskeyInfo, StepUpMethod, Timestamp, TotpInfo } from '../../schemas.js';
import { PhoneInfo, presentPhone } from './phone.js';
import { iso, isoOrNull } from './time.js';

export function registerSecurityOverviewRoute(app: FastifyInstance, services: RouteServices): void {
  const routes = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['account security'];

  routes.get(
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
            mfaExemptUntil: Type.Union([Timestamp, Type.Null()], {
              description:
                'Until when an administrator turned multi-factor authentication off (null: not exempt now).',
            }),
          }),
          ...errors('UNAUTHENTICATED'),
        },
      },
    },
    async (request) => {
      const auth = signedIn(request);
      const [{ phone, totp }, recovery, policy, mayRemove] = await Promise.all([
        services.factors.of(auth.account.id),
        services.recovery.live(auth.account.id),
        services.policies.forAccount(auth.account.id),
        services.factors.removable(auth.account),
      ]);
      // A flagged passkey never counts towards the minimum, so it may always go.
      const passkeyList = (await services.passkey.list(auth.account.id)).map((passkey) =>
        presentPasskey(passkey, passkey.flagged_at !== null || mayRemove('passkey')),
      );
      const until = await services.stepUp.freshUntil(auth);
      const exemptUntil = auth.account.mfa_exempt_until;
      return {
        policy: policy.name,
        email: {
          address: maskEmail(auth.account.email),
          verified: auth.account.email_verified_at !== null,
        },
        phone: phone ? presentPhone(phone) : null,
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
          validUntil: until !== null && until > services.clock.now() ? iso(until) : null,
          methods: await services.stepUp.methods(auth.account),
        },
        phoneRemovable: mayRemove('phone'),
        totpRemovable: mayRemove('totp'),
        mfaExemptUntil:
          exemptUntil !== null && exemptUntil > services.clock.now() ? iso(exemptUntil) : null,
      };
    },
  );
}
