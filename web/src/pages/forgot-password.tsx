import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, isFlowGone } from '../api';
import type { CodeChannel, ResetAnswer, ResetMethod, ResetSecondFactor } from '../api-types';
import { CodeEntry } from '../components/code-entry';
import { CodeForm } from '../components/code-form';
import { AppCodeEntry, OtherWays } from '../components/other-ways';
import { PasskeyAnswer } from '../components/passkey-answer';
import { ErrorAlert } from '../components/error-alert';
import { Checkbox, Field } from '../components/field';
import { LoadingCard } from '../components/flow-problem';
import { NewPasswordField } from '../components/new-password-field';
import { RecoveryCodeSave } from '../components/recovery-code-save';
import { SubmitButton } from '../components/submit-button';
import { useConfig, usePortalName } from '../config';
import { errorText, InputError, isInvalid } from '../error-text';
import { digitsWord } from '../format';
import { useAction } from '../hooks/use-action';
import { useFocusInvalid } from '../hooks/use-focus-invalid';
import { usePageTitle } from '../hooks/use-page-title';
import { resetStore, type ActiveReset } from '../reset-flow-store';
import type { SignInState } from './sign-in';
import { newCodeNotice } from './verify-email';

const title = 'Reset your password';

const methodLabels: Record<ResetMethod, string> = {
  email: 'Email me a verification code',
  recovery_code: 'Use my recovery code, with my passkey, authenticator app or phone',
};

const insteadLabels: Record<ResetSecondFactor, string> = {
  passkey: 'Use a passkey',
  totp: 'Use your authenticator app',
  sms: 'Text me a code instead',
  voice: 'Call me with a code instead',
};

/**
 * "Forgot your password?" — signed out, the user proves who they are the way the policy allows
 * (seed 000: through email only; seed 001: the recovery code and then a passkey, the
 * authenticator app or the phone), chooses a new password, and goes back to sign in: a reset
 * never signs anyone in.
 */
export function ForgotPasswordPage() {
  usePageTitle(title);
  const navigate = useNavigate();
  const [active, setActive] = useState<ActiveReset | null>(null);
  const [lost, setLost] = useState<string | null>(null);
  const [restoring, setRestoring] = useState(() => resetStore.savedToken() !== null);

  const loseFlow = useCallback((cause: unknown) => {
    resetStore.clear();
    setActive(null);
    setLost(errorText(cause));
  }, []);

  const follow = useCallback(
    (answer: ResetAnswer, email?: string) => {
      if (answer.status === 'completed') {
        resetStore.clear();
        const next: SignInState = { notice: answer.message, ...(email ? { email } : {}) };
        navigate('/sign-in', { replace: true, state: next });
        return;
      }
      setLost(null);
      setActive(resetStore.fresh(answer.flow));
    },
    [navigate],
  );

  useEffect(() => {
    // After a reload only the token is left: ask the server where the reset stands.
    const token = resetStore.savedToken();
    if (!token) return undefined;
    let live = true;
    api
      .resetStep(token)
      .then(
        (answer) => {
          if (live) follow(answer);
        },
        (cause: unknown) => {
          if (live) loseFlow(cause);
        },
      )
      .finally(() => {
        if (live) setRestoring(false);
      });
    return () => {
      live = false;
    };
  }, []); // once, on arrival

  if (restoring && !active) return <LoadingCard />;
  if (!active) return <StartStep lost={lost} onStarted={follow} />;
  const props = { active, follow, loseFlow };
  switch (active.flow.step) {
    case 'email_code':
      return <EmailCodeStep {...props} />;
    case 'recovery_code':
      return <RecoveryCodeStep {...props} />;
    case 'second_factor':
      return <SecondFactorStep {...props} />;
    case 'new_password':
      return <NewPasswordStep {...props} />;
    case 'save_recovery_code':
      return <SaveStep {...props} />;
  }
}

interface StepProps {
  active: ActiveReset;
  follow: (answer: ResetAnswer, email?: string) => void;
  loseFlow: (cause: unknown) => void;
}

function Card({ children }: { children: ReactNode }) {
  return (
    <section className="card" aria-labelledby="reset-title">
      <h1 id="reset-title">{title}</h1>
      {children}
      <p className="card-footer">
        <Link
          to="/sign-in"
          onClick={() => {
            resetStore.clear();
          }}
        >
          Back to sign in
        </Link>
      </p>
    </section>
  );
}

/** A step the server sent without what it needs: nothing to do here but start again. */
function Broken() {
  return (
    <Card>
      <p role="alert" className="alert alert-error">
        This password reset cannot continue. Start again.
      </p>
    </Card>
  );
}

const startErrorId = 'reset-start-error';

function StartStep({
  lost,
  onStarted,
}: {
  lost: string | null;
  onStarted: (answer: ResetAnswer) => void;
}) {
  const config = useConfig();
  const methods = config?.passwordReset ?? ['email'];
  const [email, setEmail] = useState('');
  const [method, setMethod] = useState<ResetMethod | null>(null);
  const chosen = method ?? methods[0] ?? 'email';
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!email.trim()) {
      setError(new InputError('Enter the email address you sign in with.', ['email']));
      return;
    }
    void run('submit', async () => onStarted(await api.startReset(email.trim(), chosen)));
  }

  return (
    <Card>
      {lost ? (
        <p role="alert" className="alert alert-error">
          {lost}
        </p>
      ) : null}
      {methods.length === 1 && methods[0] === 'email' ? (
        <p>
          Enter the email address you sign in with. To verify your identity we send a verification
          code to it.
        </p>
      ) : methods.length === 1 ? (
        <p>
          Email can no longer be used to recover your account. You need your recovery code, and then
          your passkey or a code from your authenticator app or your phone.
        </p>
      ) : (
        <p>Enter the email address you sign in with, and choose how to verify your identity.</p>
      )}
      <form ref={formRef} onSubmit={submit} noValidate>
        <ErrorAlert id={startErrorId} error={error} />
        <Field
          id="reset-email"
          label="Email address"
          type="email"
          autoComplete="username"
          spellCheck={false}
          value={email}
          onChange={setEmail}
          errorId={isInvalid(error, 'email') ? startErrorId : undefined}
        />
        {methods.length > 1 ? (
          <fieldset className="choice-group">
            <legend>How do you want to verify your identity?</legend>
            {methods.map((m) => (
              <div key={m} className="checkbox-field">
                <input
                  type="radio"
                  id={`reset-method-${m}`}
                  name="reset-method"
                  checked={chosen === m}
                  onChange={() => setMethod(m)}
                />
                <label htmlFor={`reset-method-${m}`}>{methodLabels[m]}</label>
              </div>
            ))}
          </fieldset>
        ) : null}
        <SubmitButton label="Continue" busyLabel="Continuing…" busy={busy} />
      </form>
    </Card>
  );
}

function EmailCodeStep({ active, follow, loseFlow }: StepProps) {
  const { flow, offsetMs } = active;
  if (!flow.code) return <Broken />;
  return (
    <Card>
      <p>
        If <strong>{flow.email}</strong> belongs to an account, we sent a{' '}
        {digitsWord(flow.code.length)} verification code to it. Enter it below to choose a new
        password.
      </p>
      <CodeEntry
        id="reset-code"
        label="Verification code"
        submitLabel="Verify"
        emptyMessage="Enter the code from the email."
        code={flow.code}
        offsetMs={offsetMs}
        verify={async (code) => follow(await api.resetVerifyCode(flow.flow, code))}
        resend={async () => {
          const answer = await api.resetResendCode(flow.flow);
          follow(answer);
          return newCodeNotice(answer.flow);
        }}
        onLost={loseFlow}
      />
    </Card>
  );
}

function RecoveryCodeStep({ active, follow, loseFlow }: StepProps) {
  const { flow } = active;
  return (
    <Card>
      <p>
        Enter the recovery code you saved for <strong>{flow.email}</strong>. Spaces and dashes are
        fine. Then you confirm it with your passkey, your authenticator app or your phone.
      </p>
      <CodeForm
        id="reset-recovery"
        kind="recovery"
        label="Recovery code"
        submitLabel="Continue"
        emptyMessage="Enter your recovery code."
        autoFocus
        verify={async (code) => follow(await api.resetRecoveryCode(flow.flow, code))}
        onLost={loseFlow}
      />
    </Card>
  );
}

function SecondFactorStep({ active, follow, loseFlow }: StepProps) {
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

const passwordErrorId = 'reset-password-error';

function NewPasswordStep({ active, follow, loseFlow }: StepProps) {
  const { flow } = active;
  const [password, setPassword] = useState('');
  const [endSessions, setEndSessions] = useState(true);
  const { busy, error, setError, run } = useAction();
  const formRef = useFocusInvalid(error);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!password) {
      setError(new InputError('Choose a new password.', ['password']));
      return;
    }
    void run('submit', async () => {
      try {
        follow(await api.resetPassword(flow.flow, password, endSessions), flow.email);
      } catch (caught) {
        if (isFlowGone(caught)) {
          loseFlow(caught);
          return;
        }
        throw caught;
      }
    });
  }

  return (
    <Card>
      <p>
        It is you. Choose a new password for <strong>{flow.email}</strong>.
      </p>
      <form ref={formRef} onSubmit={submit} noValidate>
        <ErrorAlert id={passwordErrorId} error={error} />
        <NewPasswordField
          value={password}
          onChange={setPassword}
          email={flow.email}
          errorId={isInvalid(error, 'password') ? passwordErrorId : undefined}
        />
        <Checkbox
          id="reset-end-sessions"
          label="Sign me out on every device"
          checked={endSessions}
          onChange={setEndSessions}
        />
        <SubmitButton label="Change password" busyLabel="Changing password…" busy={busy} />
      </form>
    </Card>
  );
}

function SaveStep({ active, follow, loseFlow }: StepProps) {
  const { flow } = active;
  if (!flow.recoveryCode) return <Broken />;
  return (
    <Card>
      <p role="status" className="alert alert-success">
        Your password is changed.
      </p>
      <p>
        Your recovery code was used, so it no longer works. This is your new one: save it before you
        continue.
      </p>
      <RecoveryCodeSave
        id="reset-recovery-save"
        recoveryCode={flow.recoveryCode}
        email={flow.email}
        submitLabel="Continue"
        busyLabel="Continuing…"
        onSaved={async () => follow(await api.resetRecoveryCodeSaved(flow.flow), flow.email)}
        onLost={loseFlow}
      />
    </Card>
  );
}
