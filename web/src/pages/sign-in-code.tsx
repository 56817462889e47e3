import { useState } from 'react';
import { api } from '../api';
import type { CodeChannel, SignInFlow } from '../api-types';
import { CodeEntry } from '../components/code-entry';
import { CodeForm } from '../components/code-form';
import { AppCodeEntry, OtherWays } from '../components/other-ways';
import { PasskeyAnswer } from '../components/passkey-answer';
import { DifferentAccount, FlowProblem, LoadingCard } from '../components/flow-problem';
import { usePortalName } from '../config';
import type { ActiveFlow } from '../flow-store';
import { useAction } from '../hooks/use-action';
import { usePageTitle } from '../hooks/use-page-title';
import { useSignInFlow } from '../hooks/use-sign-in-flow';
import { SaveRecoveryCodeStep, saveRecoveryCodeTitle } from './sign-in-recovery-code';
import { newCodeNotice } from './verify-email';
import { insteadLabels, methodOf, SentSentence, titles } from './sign-in-code/words';

const here = '/sign-in/code';

/**
 * The second factor at sign-in — a passkey or a code from the authenticator app (first, when the
 * user has one), a code by text, call or (where allowed) email, or the recovery code — and, on
 * the same page, the new recovery code to save after one was used.
 */
export function SignInCodePage() {
  const flowState = useSignInFlow(here);
  const { active, lost } = flowState;
  // Set when this page verified a recovery code: the next step shows its replacement.
  const [usedRecoveryCode, setUsedRecoveryCode] = useState(false);
  const saving = active?.flow.step === 'save_recovery_code';
  const title = saving ? saveRecoveryCodeTitle : titles[active ? methodOf(active.flow) : 'code'];
  usePageTitle(title);

  if (lost) return <FlowProblem title={title} message={lost} />;
  if (!active) return <LoadingCard />;
  const broken = saving
    ? !active.flow.recoveryCode
    : methodOf(active.flow) === 'code' && !active.flow.code;
  if (broken) {
    return <FlowProblem title={title} message="This sign-in cannot continue. Sign in again." />;
  }
  if (saving) {
    return (
      <SaveRecoveryCodeStep
        {...flowState}
        active={active}
        reason={usedRecoveryCode ? 'after_use' : undefined}
      />
    );
  }
  return (
    <SecondFactorStep
      {...flowState}
      active={active}
      title={title}
      onRecoveryCodeUsed={() => setUsedRecoveryCode(true)}
    />
  );
}

/** A way through the second-factor step other than the current one. */
type Way = 'passkey' | 'totp' | 'recovery_code' | CodeChannel;

type StepProps = Omit<ReturnType<typeof useSignInFlow>, 'active'> & { active: ActiveFlow };

function SecondFactorStep({
  active,
  follow,
  loseFlow,
  title,
  onRecoveryCodeUsed,
}: StepProps & { title: string; onRecoveryCodeUsed: () => void }) {
  const portalName = usePortalName() ?? 'this portal';
  const { flow, offsetMs } = active;
  const method = methodOf(flow);
  const alternatives = flow.secondFactor?.alternatives ?? [];
  const [notice, setNotice] = useState('');
  // Chosen on this page (not where the step started): the new field takes the focus.
  const [switched, setSwitched] = useState(false);
  const switching = useAction<Way>();

  async function verify(value: string) {
    const result = await api.verifyCode(flow.flow, value);
    if (method === 'recovery_code') onRecoveryCodeUsed();
    follow(result);
  }

  async function resend(channel?: CodeChannel) {
    const answer = await api.resendCode(flow.flow, channel);
    follow(answer);
    return newCodeNotice(answer.flow);
  }

  function switchTo(target: Way) {
    setNotice('');
    void switching.run(target, async () => {
      try {
        if (target === 'passkey' || target === 'totp' || target === 'recovery_code') {
          follow(await api.chooseMethod(flow.flow, target));
          setSwitched(true);
        } else {
          const answer = await api.resendCode(flow.flow, target);
          follow(answer);
          setNotice(newCodeNotice(answer.flow));
        }
      } catch (caught) {
        const lost =
          api.chooseMethod.failedWith(caught, 'FLOW_NOT_FOUND') ||
          api.resendCode.failedWith(caught, 'FLOW_NOT_FOUND');
        if (lost) {
          loseFlow(caught);
          return;
        }
        throw caught;
      }
    });
  }

  const others: { key: Way; label: string }[] = [
    ...(method !== 'passkey' && alternatives.includes('passkey')
      ? [{ key: 'passkey' as const, label: 'Use a passkey' }]
      : []),
    ...(method !== 'totp' && alternatives.includes('totp')
      ? [{ key: 'totp' as const, label: 'Use your authenticator app' }]
      : []),
    ...(method !== 'code'
      ? flow.channels.map((channel) => ({ key: channel, label: insteadLabels[channel] }))
      : []),
    ...(method !== 'recovery_code' && alternatives.includes('recovery_code')
      ? [{ key: 'recovery_code' as const, label: 'Use a recovery code' }]
      : []),
  ];

  return (
    <section className="card" aria-labelledby="code-title">
      <h1 id="code-title">{title}</h1>
      {notice ? (
        <p role="status" className="alert alert-info">
          {notice}
        </p>
      ) : null}
      {method === 'passkey' ? (
        <PasskeyStep flow={flow} follow={follow} loseFlow={loseFlow} />
      ) : method === 'totp' ? (
        <AppCodeEntry
          id="second-factor"
          portalName={portalName}
          autoFocus={switched}
          verify={verify}
          onLost={loseFlow}
        />
      ) : method === 'recovery_code' ? (
        <>
          <p>
            Enter the recovery code you saved. Spaces and dashes are fine. It works once: after you
            sign in you will get a new one to save.
          </p>
          <CodeForm
            key="recovery"
            id="second-factor"
            kind="recovery"
            label="Recovery code"
            submitLabel="Verify Code"
            emptyMessage="Enter your recovery code."
            autoFocus={switched}
            verify={verify}
            onLost={loseFlow}
          />
        </>
      ) : flow.code ? (
        <>
          <p>
            <SentSentence flow={flow} /> Enter it in the Code field and click Verify Code.
          </p>
          <CodeEntry
            id="second-factor"
            label="Code"
            submitLabel="Verify Code"
            emptyMessage="Enter the code we sent you."
            code={flow.code}
            offsetMs={offsetMs}
            resendPrompt={
              flow.code.channel === 'email' ? "Didn't get it?" : "Didn't receive a code?"
            }
            resendTip={flow.code.channel === 'email' ? undefined : ''}
            switches={flow.channels.filter((channel) => channel !== flow.code?.channel)}
            verify={verify}
            resend={resend}
            onLost={loseFlow}
          />
        </>
      ) : null}
      <OtherWays
        id="other-methods"
        title={
          method === 'totp'
            ? "Don't have your authenticator app with you?"
            : method === 'passkey'
              ? "Don't have your passkey with you?"
              : 'Other ways to verify'
        }
        ways={others}
        action={switching}
        onChoose={switchTo}
      />
      {method === 'code' ? (
        <p className="hint security-note">
          Codes sent by text message or phone call are less secure than an authenticator app or a
          passkey.
        </p>
      ) : null}
      <DifferentAccount />
    </section>
  );
}

/**
 * The passkey as the second factor: the browser asks for it when the user clicks. A refused
 * answer spends the ceremony; the next try asks the server for a new one first.
 */
function PasskeyStep({
  flow,
  follow,
  loseFlow,
}: {
  flow: SignInFlow;
  follow: StepProps['follow'];
  loseFlow: StepProps['loseFlow'];
}) {
  return (
    <PasskeyAnswer
      id="passkey-step-error"
      request={flow.passkey}
      renew={async () => {
        const renewed = await api.chooseMethod(flow.flow, 'passkey');
        follow(renewed);
        return renewed.flow.passkey;
      }}
      answer={async (credential) => follow(await api.verifySignInPasskey(flow.flow, credential))}
      onLost={(caught) => {
        const lost =
          api.chooseMethod.failedWith(caught, 'FLOW_NOT_FOUND') ||
          api.verifySignInPasskey.failedWith(caught, 'FLOW_NOT_FOUND');
        if (!lost) return false;
        loseFlow(caught);
        return true;
      }}
      cannotContinue="This sign-in cannot continue. Sign in again."
    />
  );
}
