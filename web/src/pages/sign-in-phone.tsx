import { useState, type ReactNode } from 'react';
import { useLocation } from 'react-router';
import { api } from '../api';
import type { SignInFlow } from '../api-types';
import { CodeEntry } from '../components/code-entry';
import { ErrorAlert } from '../components/error-alert';
import { DifferentAccount, FlowProblem, LoadingCard } from '../components/flow-problem';
import { ChooseAnotherWay, SkipForNow } from '../components/minimum-ways';
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
import { phoneExample } from '../phone-example';
import type { AccountState } from './account';
import { newCodeNotice } from './verify-email';

const here = '/sign-in/phone';

/** What the verify-email page passes on: the address it has just verified (masked). */
export interface PhoneStepState {
  verifiedEmail?: string;
}

/** Seed 001: the phone is part of one of several ways to meet the policy's minimum. */
function oneOfSeveralWays(flow: SignInFlow): boolean {
  return (flow.minimum?.ways.length ?? 0) > 1;
}

interface PhoneWords {
  label: string;
  hint: ReactNode;
  submit: string;
}

/** The number field's words: seed 001's, seed 000's (offered) or seed 002's (required). */
function phoneWords(flow: SignInFlow, offered: boolean): PhoneWords {
  if (oneOfSeveralWays(flow))
    return {
      label: 'Phone number',
      hint: defaultCountryHint(flow.phoneDefaultCountry),
      submit: 'Send code',
    };
  if (offered)
    return {
      label: 'Mobile phone number',
      hint: defaultCountryHint(flow.phoneDefaultCountry),
      submit: 'Verify',
    };
  // Seed 002: "enter your mobile number in international format, for example +447546XXXXXX".
  const example = phoneExample(flow.phoneDefaultCountry);
  return {
    label: 'Mobile number',
    hint: (
      <>
        {example
          ? `Enter your mobile number in international format, for example ${example}. `
          : null}
        {internationalFormatHint}
      </>
    ),
    submit: 'Send Verification Code',
  };
}

/**
 * A phone at sign-in. Offered with "Skip for Now" (seed 000: "Two-Factor Authentication"),
 * required (seed 002: "Update Phone Number"), or one way to meet the policy's minimum (seed 001:
 * "Verify your phone number", with the other ways and, before its date, "Skip for Now"); then
 * the code sent to it.
 */
export function SignInPhonePage() {
  const flowState = useSignInFlow(here);
  const { active, lost } = flowState;
  const offered = active?.phoneOffered ?? false;
  const title =
    active && oneOfSeveralWays(active.flow)
      ? 'Verify your phone number'
      : offered
        ? 'Two-Factor Authentication'
        : 'Update Phone Number';
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
      {oneOfSeveralWays(active.flow) ? (
        <>
          <ChooseAnotherWay step={{ ...flowState, active }} />
          <SkipForNow step={{ ...flowState, active }} />
        </>
      ) : null}
      <DifferentAccount />
    </section>
  );
}

type StepProps = Omit<ReturnType<typeof useSignInFlow>, 'active'> & { active: ActiveFlow };

function sendPhone(step: StepProps) {
  return async (phone: string, channel: PhoneChannel) =>
    step.follow(await api.submitPhone(step.active.flow.flow, phone, channel));
}

/** The sign-in is gone while a number is sent or the step skipped. */
function lostHandler(step: StepProps) {
  return (caught: unknown) => {
    const lost =
      api.submitPhone.failedWith(caught, 'FLOW_NOT_FOUND') ||
      api.skipPhone.failedWith(caught, 'FLOW_NOT_FOUND');
    if (!lost) return false;
    step.loseFlow(caught);
    return true;
  };
}

function EnrolPhone(step: StepProps) {
  const { flow, phoneOffered } = step.active;
  const verifiedEmail = ((useLocation().state ?? {}) as PhoneStepState).verifiedEmail;
  const skipping = useAction();
  const words = phoneWords(flow, phoneOffered);
  const minimum = oneOfSeveralWays(flow) ? flow.minimum : null;
  const chosen = minimum && minimum.chosen !== null ? minimum.ways[minimum.chosen] : undefined;

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
      {minimum ? (
        <p>
          Enter a mobile number or a direct landline number (no extension). We text a code to a
          mobile, or call a landline to read it out.
          {chosen?.missing.includes('totp')
            ? ' After your phone number, you set up the authenticator app.'
            : null}
        </p>
      ) : phoneOffered ? (
        <p>We also recommend you verify a phone number to enable SMS authentication.</p>
      ) : (
        <p>
          Every login needs a six-digit code sent to your phone. Register the mobile number the
          codes should go to.
        </p>
      )}
      <PhoneForm
        id="enrol"
        label={words.label}
        hint={words.hint}
        submitLabel={words.submit}
        busyLabel="Sending code…"
        send={sendPhone(step)}
        onError={lostHandler(step)}
      >
        {flow.skippable && !minimum ? (
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
  const words = phoneWords(flow, phoneOffered);

  if (changing) {
    return (
      <>
        <p>Enter the number the code should go to instead.</p>
        <PhoneForm
          id="change"
          label={words.label}
          hint={words.hint}
          submitLabel={words.submit}
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
