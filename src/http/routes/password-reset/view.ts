/**
 * What every password-reset route answers: the flow's current step (`ResetFlowView`), or its end
 * (`completed`, never a session), with the methods and second factors a reset may use, and the
 * errors every step shares (no such reset, or a conflicting step).
 */
import { Type } from '@sinclair/typebox';
import type { ResetResult, ResetView } from '../../../flows/password-reset/service.js';
import { presentCeremony, presentCode } from '../../present.js';
import {
  CodeView,
  FlowToken,
  PasskeyRequest,
  RecoveryCodeShown,
  Timestamp,
} from '../../schemas.js';
import { shared } from '../../shared-schemas.js';

export const flowErrors = ['RESET_NOT_FOUND', 'FLOW_STATE_CONFLICT'] as const;

const iso = (ms: number) => new Date(ms).toISOString();

export const ResetMethod = Type.Union([Type.Literal('email'), Type.Literal('recovery_code')], {
  description:
    '`email`: a code sent to the account email; `recovery_code`: the saved recovery code, then a passkey, a code from the authenticator app or a code sent to the phone. The policy says which are offered (`passwordReset` in /api/v1/config).',
});
export const SecondFactor = Type.Union([
  Type.Literal('passkey'),
  Type.Literal('totp'),
  Type.Literal('sms'),
  Type.Literal('voice'),
]);

const ResetFlowView = shared(
  Type.Object(
    {
      flow: FlowToken,
      step: Type.Union(
        [
          Type.Literal('email_code'),
          Type.Literal('recovery_code'),
          Type.Literal('second_factor'),
          Type.Literal('new_password'),
          Type.Literal('save_recovery_code'),
        ],
        { description: 'What the user must do now.' },
      ),
      method: ResetMethod,
      email: Type.String({ description: 'The address as the user typed it.' }),
      expiresAt: Timestamp,
      serverTime: Type.String({ format: 'date-time' }),
      destination: Type.Union([Type.String(), Type.Null()], {
        description: 'Where the pending code went: the address as typed, or the masked phone.',
      }),
      code: CodeView,
      secondFactor: Type.Union(
        [Type.Object({ current: SecondFactor, choices: Type.Array(SecondFactor) }), Type.Null()],
        {
          description:
            'In second_factor: what is being used now (`passkey`, `totp`, or a code sent by `sms`/`voice`) and every way the account offers, the strongest first.',
        },
      ),
      passkey: Type.Union([PasskeyRequest, Type.Null()], {
        description:
          'In second_factor with `current: "passkey"`: the ceremony to answer with navigator.credentials.get, then `verify-passkey`.',
      }),
      recoveryCode: Type.Union([RecoveryCodeShown(), Type.Null()], {
        description: 'In save_recovery_code: the new recovery code, to save before going on.',
      }),
    },
    { $id: 'ResetFlowView' },
  ),
);

export const Continue = Type.Object({ status: Type.Literal('continue'), flow: ResetFlowView });
export const Result = Type.Union([
  Continue,
  Type.Object({
    status: Type.Literal('completed'),
    message: Type.String({ description: 'Sign in with the new password; no session is made.' }),
  }),
]);

function presentReset(view: ResetView) {
  return {
    ...view,
    expiresAt: iso(view.expiresAt),
    serverTime: iso(view.serverTime),
    code: presentCode(view.code),
    passkey: presentCeremony(view.passkey),
    recoveryCode: view.recoveryCode && {
      ...view.recoveryCode,
      createdAt: iso(view.recoveryCode.createdAt),
    },
  };
}

export const proceed = (view: ResetView) => ({
  status: 'continue' as const,
  flow: presentReset(view),
});
export const answer = (result: ResetResult) =>
  result.status === 'continue' ? proceed(result.view) : result;
