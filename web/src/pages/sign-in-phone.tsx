import { useState } from 'react';
import { useLocation } from 'react-router';
import { api, isApiError } from '../api';
import type { SignInFlow } from '../api-types';
import { CodeEntry } from '../components/code-entry';
import { ErrorAlert } from '../components/error-alert';
import { DifferentAccount, FlowProblem, LoadingCard } from '../components/flow-problem';
import {
  defaultCountryHint,
  internationalFormatHint,
  PhoneForm,
  type PhoneChannel,
} from '../components/phone-form';
import type { ActiveFlow } from '../flow-store';
import { digitsWord } from '../format';
import { useAction } from '../hooks/use-action';
import { usePageTitle } from '../hooks/use-page-title';
import { useSignInFlow } from '../hooks/use-sign-in-flow';
import type { AccountState } from './account';
import { newCodeNotice } from './verify-email';

const here = '/sign-in/phone';

/** What the verify-email page passes on: the address it has just verified (masked). */
export interface PhoneStepState {
  verifiedEmail?: string;
}

/**
 * A phone at sign-in. Offered with "Skip for Now" (seed 000: "Two-Factor Authentication"), or
 * required (seed 002: "Update Phone Number"); then the code sent to it.
 */
export function SignInPhonePage() {
  const flowState = useSignInFlow(here);
  const { active, lost } = flowState;
  const offered = active?.phoneOffered ?? false;
  const title = offered ? 'Two-Factor Authentication' : 'Update Phone Number';
  usePageTitle(title);

  if (lost) return <FlowProblem title={title} message={lost} />;
  if (!active) return <LoadingCard />;
  return (
    <section className="card" aria-labelledby="phone-title">
      <h1 id="phone-title">{title}</h1>
      {active.flow.step === 'confirm_phone' && active.flow.code ? (
        <ConfirmPhone key={active.flow.destination} {...flowState} active={active} />
      ) : (
        <EnrolPhone {...flowState} active={active} />
      )}
      <DifferentAccount />
    </section>
  );
}

type StepProps = Omit<ReturnType<typeof useSignInFlow>, 'active'> & { active: ActiveFlow };

function sendPhone(step: StepProps) {
  return async (phone: string, channel: PhoneChannel) =>
    step.follow(await api.submitPhone(step.active.flow.flow, phone, channel));
}

function lostHandler(step: StepProps) {
  return (caught: unknown) => {
    if (!isApiError(caught, 'FLOW_NOT_FOUND')) return false;
    step.loseFlow(caught);
    return true;
  };
}

function EnrolPhone(step: StepProps) {
  const { flow, phoneOffered } = step.active;
  const verifiedEmail = ((useLocation().state ?? {}) as PhoneStepState).verifiedEmail;
  const skipping = useAction();

  function skip() {
    void skipping.run('submit', async () => {
      try {
        const after: AccountState = { phoneSkipped: true };
        step.follow(await api.skipPhone(flow.flow), after);
      } catch (caught) {
        if (!lostHandler(step)(caught)) throw caught;
      }
    });
  }

  return (
    <>
      {phoneOffered && verifiedEmail ? (
        <div role="status" className="alert alert-success">
          <strong>Success</strong>
          <p className="alert-body">
            Your email address has been verified. To protect your account, we&apos;ll send a code to{' '}
            {verifiedEmail} to confirm your identity before critical account information (like your
            password) can be changed.
          </p>
        </div>
      ) : null}
      {phoneOffered ? (
        <p>We also recommend you verify a phone number to enable SMS authentication.</p>
      ) : (
        <p>
          Every login needs a six-digit code sent to your phone. Register the mobile number the
          codes should go to.
        </p>
      )}
      <PhoneForm
        id="enrol"
        label={phoneOffered ? 'Mobile phone number' : 'Mobile number'}
        hint={phoneOffered ? defaultCountryHint(flow.phoneDefaultCountry) : internationalFormatHint}
        submitLabel={phoneOffered ? 'Verify' : 'Send Verification Code'}
        busyLabel="Sending code…"
        send={sendPhone(step)}
        onError={lostHandler(step)}
      >
        {flow.skippable ? (
          <button
            type="button"
            className="button-link"
            onClick={skip}
            disabled={skipping.busy}
            aria-describedby={skipping.error ? 'skip-error' : undefined}
          >
            {skipping.busy ? 'Skipping…' : 'Skip for Now'}
          </button>
        ) : null}
      </PhoneForm>
      <ErrorAlert id="skip-error" error={skipping.error} />
    </>
  );
}

/** "A six-digit code is sent to your phone" (or read out in a call). */
function SentSentence({ flow }: { flow: SignInFlow }) {
  const digits = digitsWord(flow.code?.length ?? 6);
  const to = flow.destination ? (
    <>
      {' '}
      <span className="nowrap">{flow.destination}</span>
    </>
  ) : null;
  return flow.code?.channel === 'voice' ? (
    <>
      We are calling your phone{to} to read out a {digits} code.
    </>
  ) : (
    <>
      A {digits} code is sent to your phone{to}.
    </>
  );
}

function ConfirmPhone(step: StepProps) {
  const { flow, offsetMs, phoneOffered } = step.active;
  const [changing, setChanging] = useState(false);
  const code = flow.code!;

  if (changing) {
    return (
      <>
        <p>Enter the number the code should go to instead.</p>
        <PhoneForm
          id="change"
          label={phoneOffered ? 'Mobile phone number' : 'Mobile number'}
          hint={
            phoneOffered ? defaultCountryHint(flow.phoneDefaultCountry) : internationalFormatHint
          }
          submitLabel={phoneOffered ? 'Verify' : 'Send Verification Code'}
          busyLabel="Sending code…"
          send={async (phone, channel) => {
            await sendPhone(step)(phone, channel);
            setChanging(false);
          }}
          onError={lostHandler(step)}
        >
          <button type="button" className="button-link" onClick={() => setChanging(false)}>
            Cancel
          </button>
        </PhoneForm>
      </>
    );
  }

  async function verify(value: string) {
    step.follow(await api.verifyCode(flow.flow, value));
  }

  async function resend(channel?: 'email' | 'sms' | 'voice') {
    const answer = await api.resendCode(flow.flow, channel);
    step.follow(answer);
    return newCodeNotice(answer.flow);
  }

  return (
    <>
      <p>
        <SentSentence flow={flow} /> Enter the code below.
      </p>
      <CodeEntry
        id="confirm"
        label="Code"
        submitLabel="Verify Code"
        emptyMessage="Enter the code we sent to your phone."
        code={code}
        offsetMs={offsetMs}
        resendPrompt="Didn't receive a verification code?"
        resendTip=""
        switches={flow.channels.filter((channel) => channel !== code.channel)}
        verify={verify}
        resend={resend}
        onLost={step.loseFlow}
      />
      <p>
        <button type="button" className="button-link" onClick={() => setChanging(true)}>
          Change number
        </button>
      </p>
    </>
  );
}
