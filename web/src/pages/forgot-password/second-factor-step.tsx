/** Confirming a recovery code with a second factor: a passkey, the app, or a code by phone. */
import { useState } from 'react';
import { api, isFlowGone } from '../../api';
import type { CodeChannel, ResetSecondFactor } from '../../api-types';
import { CodeEntry } from '../../components/code-entry';
import { AppCodeEntry, OtherWays } from '../../components/other-ways';
import { PasskeyAnswer } from '../../components/passkey-answer';
import { usePortalName } from '../../config';
import { digitsWord } from '../../format';
import { useAction } from '../../hooks/use-action';
import { type ActiveReset } from '../../reset-flow-store';
import { newCodeNotice } from '../verify-email';
import { Card, type StepProps } from './card';

const insteadLabels: Record<ResetSecondFactor, string> = {
  passkey: 'Use a passkey',
  totp: 'Use your authenticator app',
  sms: 'Text me a code instead',
  voice: 'Call me with a code instead',
};

export function SecondFactorStep({ active, follow, loseFlow }: StepProps) {
  const portalName = usePortalName() ?? 'this portal';
  const { flow, offsetMs } = active;
  const current = flow.secondFactor?.current ?? 'totp';
  const choices = flow.secondFactor?.choices ?? [];
  const [notice, setNotice] = useState('');
  const [switched, setSwitched] = useState(false);
  const switching = useAction<ResetSecondFactor>();

  async function verify(code: string) {
    follow(await api.resetVerifyCode(flow.flow, code));
  }

  async function send(factor: ResetSecondFactor) {
    const answer = await api.resetSecondFactor(flow.flow, factor);
    follow(answer);
    return newCodeNotice(answer.flow);
  }

  function switchTo(factor: ResetSecondFactor) {
    setNotice('');
    void switching.run(factor, async () => {
      try {
        const message = await send(factor);
        setSwitched(true);
        if (factor === 'sms' || factor === 'voice') setNotice(message);
      } catch (caught) {
        if (isFlowGone(caught)) {
          loseFlow(caught);
          return;
        }
        throw caught;
      }
    });
  }

  // Every other way, but the phone's other channel while on the phone (CodeEntry offers that).
  const onPhone = (c: ResetSecondFactor) => c === 'sms' || c === 'voice';
  const others = choices.filter((c) => c !== current && !(onPhone(c) && onPhone(current)));

  return (
    <Card>
      <p className="alert alert-success" role="status">
        Your recovery code is right. Now confirm it is you.
      </p>
      {notice ? (
        <p role="status" className="alert alert-info">
          {notice}
        </p>
      ) : null}
      {current === 'passkey' ? (
        <ResetPasskeyStep flow={flow} follow={follow} loseFlow={loseFlow} />
      ) : current === 'totp' ? (
        <AppCodeEntry
          id="reset-second"
          portalName={portalName}
          autoFocus={switched}
          verify={verify}
          onLost={loseFlow}
        />
      ) : flow.code ? (
        <>
          <p>
            {current === 'voice'
              ? `A ${digitsWord(flow.code.length)} code is read out in a call to your registered phone number`
              : `A ${digitsWord(flow.code.length)} code is sent to your registered phone number via SMS`}{' '}
            (<span className="nowrap">{flow.destination}</span>). Enter it in the Code field and
            click Verify Code.
          </p>
          <CodeEntry
            id="reset-second"
            label="Code"
            submitLabel="Verify Code"
            emptyMessage="Enter the code we sent you."
            code={flow.code}
            offsetMs={offsetMs}
            resendPrompt="Didn't receive a code?"
            resendTip=""
            switches={choices.filter(
              (c): c is CodeChannel & ResetSecondFactor => onPhone(c) && c !== current,
            )}
            verify={verify}
            resend={(channel) => send((channel as ResetSecondFactor | undefined) ?? current)}
            onLost={loseFlow}
          />
        </>
      ) : null}
      <OtherWays
        id="reset-other"
        title={
          current === 'totp'
            ? "Don't have your authenticator app with you?"
            : current === 'passkey'
              ? "Don't have your passkey with you?"
              : 'Other ways to verify'
        }
        ways={others.map((factor) => ({ key: factor, label: insteadLabels[factor] }))}
        action={switching}
        onChoose={switchTo}
      />
    </Card>
  );
}

/**
 * The passkey confirming the recovery code: the browser asks for it when the user clicks. A
 * refused answer spends the ceremony; the next try asks the server for a new one first.
 */
function ResetPasskeyStep({
  flow,
  follow,
  loseFlow,
}: Omit<StepProps, 'active'> & {
  flow: ActiveReset['flow'];
}) {
  return (
    <PasskeyAnswer
      id="reset-passkey-error"
      request={flow.passkey}
      renew={async () => {
        const renewed = await api.resetSecondFactor(flow.flow, 'passkey');
        follow(renewed);
        return renewed.flow.passkey;
      }}
      answer={async (credential) => follow(await api.resetVerifyPasskey(flow.flow, credential))}
      onLost={(caught) => {
        if (!isFlowGone(caught)) return false;
        loseFlow(caught);
        return true;
      }}
      cannotContinue="This password reset cannot continue. Start again."
    />
  );
}
