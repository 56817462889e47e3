import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../api';
import type { AccountSecurity } from '../api-types';
import { EmailAddressMethod } from '../components/email-method';
import { EmailVerify } from '../components/email-verify';
import { MfaExemptionNotice } from '../components/mfa-exemption-notice';
import { PasskeyMethod } from '../components/passkey-method';
import { PasswordMethod } from '../components/password-method';
import { PhoneMethod } from '../components/phone-method';
import { RecoveryCodeMethod } from '../components/recovery-code-method';
import { RequireSession } from '../components/require-session';
import { ReturnToApplication } from '../components/return-to-application';
import { SecurityActivity } from '../components/security-activity';
import { TotpMethod } from '../components/totp-method';
import { useLoad } from '../hooks/use-load';
import { usePageTitle } from '../hooks/use-page-title';
import { useStepUpTasks, type StepUpTasks } from '../hooks/use-step-up-tasks';
import { useSecurityWords } from '../config';
import { Tabs } from '../components/tabs';
import { AccountSideMenu } from '../components/account-side-menu';
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
  const words = useSecurityWords(load.state === 'ready' ? load.data.policy : undefined);
  usePageTitle(load.state === 'ready' ? words.title : 'Security');
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
  const words = useSecurityWords(security.policy);
  const tasks = useStepUpTasks<SecurityTask>(security.stepUp.validUntil);
  const [tab, setTab] = useState('security');
  const section: SectionProps = { security, reload, tasks };
  const methods = (
    <>
      {/* Seed 002 has no tabs: the address and "Change email" sit with the methods. */}
      {security.policy === 'sms-required' ? (
        <EmailAddressMethod {...section} />
      ) : (
        <EmailMethod security={security} reload={reload} />
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
        <MfaExemptionNotice until={security.mfaExemptUntil} />
        <ReturnToApplication />
        {methods}
        <PasswordMethod {...section} />
        <SecurityActivity />
        <BackToAccount />
      </section>
    );
  }
  const tabs = (
    <Tabs
      tabs={[
        {
          id: 'profile',
          label: 'Profile',
          content: (
            <>
              <h2>Profile</h2>
              <p>
                Your role and sign-in sessions are on <Link to="/account">your account page</Link>.
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
      selected={tab}
      onSelect={setTab}
    />
  );
  if (security.policy !== 'strong-mfa') {
    return (
      <section className="card card-wide" aria-labelledby="security-title">
        <h1 id="security-title">{words.title}</h1>
        <MfaExemptionNotice until={security.mfaExemptUntil} />
        <ReturnToApplication />
        {tabs}
        <BackToAccount />
      </section>
    );
  }
  /** Seed 001's right-side menu: "Recovery code" opens the Security tab's "Get a new code". */
  function newRecoveryCode() {
    setTab('security');
    tasks.begin('recovery-code');
    requestAnimationFrame(() => document.getElementById('recovery-method-title')?.focus());
  }
  return (
    <section className="card card-with-menu" aria-labelledby="security-title">
      <h1 id="security-title">{words.title}</h1>
      <MfaExemptionNotice until={security.mfaExemptUntil} />
      <ReturnToApplication />
      <div className="with-side-menu">
        <div>{tabs}</div>
        <AccountSideMenu
          title={words.title}
          entries={[
            { label: 'Two-factor methods', onSelect: () => setTab('security') },
            { label: 'Recovery code', onSelect: newRecoveryCode },
            { label: 'Profile', onSelect: () => setTab('profile') },
            { label: 'Activity', onSelect: () => setTab('activity') },
          ]}
        />
      </div>
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

function EmailMethod({
  security,
  reload,
}: {
  security: AccountSecurity;
  reload: () => Promise<void>;
}) {
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
      <EmailVerify onVerified={reload} />
    </div>
  );
}
