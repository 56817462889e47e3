import { useState, type FormEvent } from 'react';
import { api } from '../api';
import type { FactorKind, MinimumView } from '../api-types';
import { CodeForm } from '../components/code-form';
import { cleanPasskeyName, PasskeyNameField } from '../components/passkey-name-field';
import { ErrorAlert } from '../components/error-alert';
import { DifferentAccount, FlowProblem, LoadingCard } from '../components/flow-problem';
import {
  ChooseAnotherWay,
  SkipForNow,
  useChooseWay,
  WaysTable,
  type FlowStepProps,
} from '../components/minimum-ways';
import { TotpKeySteps } from '../components/totp-enrolment';
import { usePortalName } from '../config';
import { describeDevice } from '../device';
import { InputError } from '../error-text';
import { formatDay } from '../format';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { usePageTitle } from '../hooks/use-page-title';
import { useSignInFlow } from '../hooks/use-sign-in-flow';
import { createPasskey, isPasskeyAborted, passkeyProblem, passkeysSupported } from '../passkey';

const here = '/sign-in/mfa';

const titles = {
  choose_mfa: 'Set up multi-factor authentication',
  enrol_totp: 'Set up your authenticator app',
  enrol_passkey: 'Add a passkey',
};

/**
 * Meeting the policy's minimum at sign-in (seed 001): choosing one of its ways (before the
 * enforcement date with "Skip for Now", after it blocking), then the authenticator app (its QR
 * code and a code from it) or a passkey (the browser creates it). The phone has its own page.
 */
export function SignInMfaPage() {
  const flowState = useSignInFlow(here);
  const { active, lost } = flowState;
  const step = active?.flow.step;
  const title =
    step === 'enrol_totp' || step === 'enrol_passkey' ? titles[step] : titles.choose_mfa;
  usePageTitle(title);

  if (lost) return <FlowProblem title={title} message={lost} />;
  if (!active) return <LoadingCard />;
  const { flow } = active;
  // A passkey step whose ceremony was spent (a refused answer, then a reload) asks for a new one.
  if (!flow.minimum || (step === 'enrol_totp' && !flow.totp)) {
    return <FlowProblem title={title} message="This sign-in cannot continue. Sign in again." />;
  }
  const props: FlowStepProps = { ...flowState, active };
  return (
    <section
      className={step === 'enrol_passkey' ? 'card' : 'card card-wide'}
      aria-labelledby="mfa-title"
    >
      <h1 id="mfa-title">{title}</h1>
      {step === 'enrol_totp' ? (
        <EnrolTotp {...props} />
      ) : step === 'enrol_passkey' ? (
        <EnrolPasskey {...props} />
      ) : (
        <ChooseWay {...props} minimum={flow.minimum} />
      )}
      {step !== 'choose_mfa' ? <ChooseAnotherWay step={props} /> : null}
      <SkipForNow step={props} />
      <DifferentAccount />
    </section>
  );
}

const benefitNames: [FactorKind, string][] = [
  ['passkey', 'passkey'],
  ['totp', 'authenticator'],
  ['phone', 'a verified phone number'],
];

/** "passkey, authenticator and/or a verified phone number": what the ways can add. */
function benefitList(minimum: MinimumView): string {
  const offered = benefitNames
    .filter(([f]) => minimum.ways.some((way) => way.factors.includes(f)))
    .map(([, name]) => name);
  if (offered.length < 2) return offered.join('');
  return `${offered.slice(0, -1).join(', ')} and/or ${offered.at(-1)}`;
}

/** choose_mfa, in seed 001's words: the date, the ways, and what happens without one. */
function ChooseWay(step: FlowStepProps & { minimum: MinimumView }) {
  const portalName = usePortalName() ?? 'this portal';
  const { minimum } = step;
  const { flow } = step.active;
  const choice = useChooseWay(step);
  const date = minimum.deadline ? formatDay(minimum.deadline) : null;
  const passed =
    minimum.deadline !== null && Date.parse(minimum.deadline) <= Date.parse(flow.serverTime ?? '');
  const benefits = benefitList(minimum);

  return (
    <>
      <p>
        {date === null
          ? `To sign in to ${portalName}, you’re required to have 1 of the following verified on your account:`
          : passed
            ? `Since ${date}, you can no longer use email as a recovery method when signing in to ${portalName}. You’re required to have 1 of the following verified on your account:`
            : `Starting ${date}, you can no longer use email as a recovery method when signing in to ${portalName}. To maintain uninterrupted access, if you haven’t already made the update, you’re required to have 1 of the following verified on your account:`}
      </p>
      {minimum.enforced ? (
        <p className="alert alert-warning">
          If you do not complete setting up the minimum multi-factor authentication methods, you
          will be unable to log into {portalName}.
        </p>
      ) : null}
      <WaysTable minimum={minimum} choice={choice} />
      {benefits ? (
        <p>
          Updating to {benefits} for authentication helps better protect identity and practice data.
          {benefits.includes('passkey')
            ? ' Once enabled, passkey offers the most protection available today and is easy to use.'
            : null}
          {date !== null && !minimum.enforced
            ? ` If you do not complete setting up the minimum multi-factor authentication methods by ${date}, you will be unable to log into ${portalName}.`
            : null}
        </p>
      ) : null}
    </>
  );
}

/** enrol_totp: the new key as a QR code and as text, then a code from the app. */
function EnrolTotp(step: FlowStepProps) {
  const { flow } = step.active;
  const totp = flow.totp!;
  const minimum = flow.minimum!;
  const chosen = minimum.chosen === null ? undefined : minimum.ways[minimum.chosen];
  const phoneDone = chosen?.factors.includes('phone') && !chosen.missing.includes('phone');
  return (
    <>
      {phoneDone ? (
        <p className="alert alert-success">Your phone number is verified. Now get Authenticator.</p>
      ) : null}
      <p>
        You need a free authenticator app on your smartphone, such as Microsoft Authenticator or
        Google Authenticator.
      </p>
      <TotpKeySteps totpKey={totp} />
      <CodeForm
        key={totp.key}
        id="enrol-totp"
        kind="totp"
        label="Code from your authenticator app"
        submitLabel="Verify"
        emptyMessage="Enter the code your authenticator app shows."
        verify={async (code) => step.follow(await api.confirmSignInTotp(flow.flow, code))}
        onLost={step.loseFlow}
      />
    </>
  );
}

/** A name for the new passkey to start from: the device, as the sessions page names it. */
function defaultPasskeyName(): string {
  const device = describeDevice(navigator.userAgent);
  return device.startsWith('Unknown') ? 'Passkey' : device;
}

/**
 * enrol_passkey: a name, then the browser creates the passkey. The ceremony answers once: after
 * a failure (or when it has expired) "Try again" chooses this way again for a fresh one.
 */
function EnrolPasskey(step: FlowStepProps) {
  const { flow, offsetMs } = step.active;
  const minimum = flow.minimum!;
  const [name, setName] = useState(defaultPasskeyName);
  const [failed, setFailed] = useState(false);
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);
  const errorId = 'enrol-passkey-error';
  const supported = passkeysSupported();
  const way =
    minimum.chosen ?? minimum.ways.findIndex((w) => w.available && w.missing.includes('passkey'));

  async function ceremony() {
    const current = flow.passkeyRegistration;
    const expired = !current || Date.parse(current.expiresAt) + offsetMs <= Date.now();
    if (!failed && !expired) return current;
    const renewed = await api.chooseMinimum(flow.flow, way);
    step.follow(renewed);
    setFailed(false);
    return renewed.status === 'continue' ? renewed.flow.passkeyRegistration : null;
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const clean = cleanPasskeyName(name);
    if (clean instanceof InputError) {
      setError(clean);
      return;
    }
    void run('submit', async () => {
      try {
        const registration = await ceremony();
        if (!registration) return; // the sign-in moved on elsewhere
        let credential;
        try {
          credential = await createPasskey(registration.options);
        } catch (caught) {
          setFailed(true);
          if (isPasskeyAborted(caught)) return;
          throw passkeyProblem(caught);
        }
        try {
          step.follow(await api.registerSignInPasskey(flow.flow, clean, credential));
        } catch (caught) {
          setFailed(true);
          throw caught;
        }
      } catch (caught) {
        const lost =
          api.chooseMinimum.failedWith(caught, 'FLOW_NOT_FOUND') ||
          api.registerSignInPasskey.failedWith(caught, 'FLOW_NOT_FOUND');
        if (!lost) throw caught;
        step.loseFlow(caught);
      }
    });
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate>
      <p>
        A passkey is the most secure, fastest and easiest way to sign in, and doesn’t need a phone:
        your device identifies you by fingerprint, facial recognition, PIN, Touch ID or Face ID.
      </p>
      {supported ? null : (
        <p className="alert alert-warning">
          This browser cannot create passkeys. Use another browser or device, or choose another way.
        </p>
      )}
      <ErrorAlert id={errorId} error={error} />
      <PasskeyNameField
        id="enrol-passkey-name"
        hint="Name it after the device or password manager that keeps it, so you can tell your passkeys apart."
        value={name}
        onChange={setName}
        error={error}
        errorId={errorId}
      />
      <div className="actions actions-tight">
        <button type="submit" className="button button-primary" disabled={busy || !supported}>
          {busy ? 'Waiting for your device…' : failed ? 'Try again' : 'Add passkey'}
        </button>
      </div>
    </form>
  );
}
