import { Link } from 'react-router';
import { api } from '../api';
import type { AccountSecurity } from '../api-types';
import { ConfirmRemoval } from '../components/confirm-removal';
import { EmailAddressMethod } from '../components/email-method';
import { MethodFeedback } from '../components/method-feedback';
import { PasskeyMethod } from '../components/passkey-method';
import { PasswordMethod } from '../components/password-method';
import { PhoneEditor } from '../components/phone-editor';
import { RecoveryCodeMethod } from '../components/recovery-code-method';
import { RequireSession } from '../components/require-session';
import { SecurityActivity } from '../components/security-activity';
import { StepUpPanel } from '../components/step-up-panel';
import { TotpMethod } from '../components/totp-method';
import { formatDate, formatDateTime } from '../format';
import { useLoad } from '../hooks/use-load';
import { usePageTitle } from '../hooks/use-page-title';
import { useSectionTask, useStepUpTasks, type StepUpTasks } from '../hooks/use-step-up-tasks';
import { securityWords, type SecurityWords } from '../policy-words';
import { Tabs } from '../components/tabs';
/** The changes this page makes, each after a step-up; one is open at a time. */
export type SecurityTask =
  | 'phone-change'
  | 'phone-remove'
  | 'totp-set-up'
  | 'totp-remove'
  | 'recovery-code'
  | 'password-change'
  | 'email-change'
  | 'passkey-add'
  | 'passkey-rename'
  | 'passkey-remove';

/** What every method section gets: the account's methods, a reload, the page's changes. */
export interface SectionProps {
  security: AccountSecurity;
  reload: () => Promise<void>;
  tasks: StepUpTasks<SecurityTask>;
}

/**
 * The account's two-factor methods: email, passkeys, phone, authenticator app and recovery code. Seed 000
 * (email-first): "Account Management" with a Security tab, "Update Two-Factor Authentication
 * Methods", "Change". Seed 002 (sms-required): "My Details" with a "Multi-factor Authentication"
 * section, "Update".
 */
export function AccountSecurityPage() {
  const [load, reload] = useLoad(api.accountSecurity);
  usePageTitle(load.state === 'ready' ? securityWords(load.data.policy).title : 'Security');
  return (
    <RequireSession load={load}>
      {(security) => <SecurityView security={security} reload={reload} />}
    </RequireSession>
  );
}

function SecurityView({
  security,
  reload,
}: {
  security: AccountSecurity;
  reload: () => Promise<void>;
}) {
  const words = securityWords(security.policy);
  const tasks = useStepUpTasks<SecurityTask>(security.stepUp.validUntil);
  const section: SectionProps = { security, reload, tasks };
  const methods = (
    <>
      {/* Seed 002 has no tabs: the address and "Change email" sit with the methods. */}
      {security.policy === 'sms-required' ? (
        <EmailAddressMethod {...section} />
      ) : (
        <EmailMethod security={security} />
      )}
      <PasskeyMethod {...section} />
      <PhoneMethod {...section} words={words} />
      <TotpMethod {...section} />
      <RecoveryCodeMethod {...section} />
    </>
  );
  if (security.policy === 'sms-required') {
    return (
      <section className="card card-wide" aria-labelledby="security-title">
        <h1 id="security-title">{words.title}</h1>
        {methods}
        <PasswordMethod {...section} />
        <SecurityActivity />
        <BackToAccount />
      </section>
    );
  }
  return (
    <section className="card card-wide" aria-labelledby="security-title">
      <h1 id="security-title">{words.title}</h1>
      <Tabs
        tabs={[
          {
            id: 'profile',
            label: 'Profile',
            content: (
              <>
                <h2>Profile</h2>
                <p>
                  Your role and sign-in sessions are on <Link to="/account">your account page</Link>
                  .
                </p>
                <EmailAddressMethod {...section} />
                <PasswordMethod {...section} />
              </>
            ),
          },
          {
            id: 'security',
            label: 'Security',
            content: (
              <>
                <h2>Update Two-Factor Authentication Methods</h2>
                <p>Update one or both of the following methods for Two-Factor Authentication.</p>
                {methods}
              </>
            ),
          },
          {
            id: 'activity',
            label: 'Activity',
            content: (
              <>
                <h2>Activity</h2>
                <SecurityActivity />
              </>
            ),
          },
        ]}
        initial="security"
      />
      <BackToAccount />
    </section>
  );
}

function BackToAccount() {
  return (
    <p className="card-footer">
      <Link to="/account">Back to your account</Link>
    </p>
  );
}

function EmailMethod({ security }: { security: AccountSecurity }) {
  const heading = security.policy === 'sms-required' ? 'Email address' : 'Email Address';
  return (
    <div className="method">
      <h3>{heading}</h3>
      <p className="hint">Email verification is required *</p>
      <p>
        <span className="email">{security.email.address}</span>{' '}
        {security.email.verified ? (
          <span className="badge badge-verified">VERIFIED</span>
        ) : (
          <span className="badge badge-pending">NOT VERIFIED</span>
        )}
      </p>
    </div>
  );
}

function PhoneMethod({ security, reload, tasks, words }: SectionProps & { words: SecurityWords }) {
  const { phone } = security;
  const smsRequired = security.policy === 'sms-required';
  const task = tasks.task?.kind.startsWith('phone-') ? tasks.task : null;
  const { feedback, begin, finish } = useSectionTask(tasks, reload);

  const heading = smsRequired ? 'Multi-factor Authentication' : 'Phone Number';
  return (
    <div className="method" role="region" aria-labelledby="phone-method-title">
      <h3 id="phone-method-title">{heading}</h3>
      <p className="hint">
        {smsRequired
          ? 'Every login needs a six-digit code sent to this phone number.'
          : 'For more security, verify a phone number to enable SMS authentication.'}
      </p>
      <MethodFeedback message={feedback} />
      {phone ? (
        <dl className="details details-compact">
          <dt>Number</dt>
          <dd className="phone-number">{phone.number}</dd>
          <dt>Receives</dt>
          <dd>{phone.kind === 'mobile' ? 'Text messages and calls' : 'Calls only (landline)'}</dd>
          {phone.verifiedAt ? (
            <>
              <dt>Verified</dt>
              <dd>{formatDate(phone.verifiedAt)}</dd>
            </>
          ) : null}
          {phone.lastUsedAt ? (
            <>
              <dt>Last used</dt>
              <dd>{formatDateTime(phone.lastUsedAt)}</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p className="muted">No phone number yet.</p>
      )}
      {task === null ? (
        <div className="actions actions-tight">
          <button
            type="button"
            className="button button-primary"
            onClick={() => begin('phone-change')}
          >
            {words.change}
          </button>
          {phone && security.phoneRemovable ? (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => begin('phone-remove')}
            >
              Remove
            </button>
          ) : null}
        </div>
      ) : task.stage === 'step-up' ? (
        <StepUpPanel
          methods={security.stepUp.methods}
          reason={task.reason}
          onVerified={tasks.verified}
          onCancel={tasks.end}
        />
      ) : task.kind === 'phone-change' ? (
        <PhoneEditor
          words={words}
          onStepUpRequired={tasks.stepUpAgain}
          onDone={(saved) => void finish(`Your phone number is now ${saved.number}.`)}
          onCancel={tasks.end}
        />
      ) : (
        <ConfirmRemoval
          id="remove-phone"
          title="Remove phone number"
          question={`Remove ${phone?.number ?? 'your phone number'} from your account? Codes will no longer be sent to it.`}
          remove={api.removePhone}
          onStepUpRequired={tasks.stepUpAgain}
          onRemoved={() => void finish('The phone number was removed from your account.')}
          onCancel={tasks.end}
        />
      )}
    </div>
  );
}
