import { Navigate, Route, Routes } from 'react-router';
import { Layout } from './components/layout';
import { AcceptInvitationPage } from './pages/accept-invitation';
import { AccountPage } from './pages/account';
import { AccountSecurityPage } from './pages/account-security';
import { AdminAuditPage } from './pages/admin/audit';
import { AdminApplicationsPage } from './pages/admin/applications';
import { AdminUserPage } from './pages/admin/user';
import { AdminUsersPage } from './pages/admin/users';
import { DevOutboxPage } from './pages/dev-outbox';
import { ForgotPasswordPage } from './pages/forgot-password';
import { NotFoundPage } from './pages/not-found';
import { SessionsPage } from './pages/sessions';
import { SignInPage } from './pages/sign-in';
import { SignInCodePage } from './pages/sign-in-code';
import { SignInMfaPage } from './pages/sign-in-mfa';
import { SignInConsentPage } from './pages/sign-in-consent';
import { SignInStepUpPage } from './pages/sign-in-step-up';
import { SignInNewPhonePage } from './pages/sign-in-new-phone';
import { SignInPhonePage } from './pages/sign-in-phone';
import { SignUpPage } from './pages/sign-up';
import { VerifyEmailPage } from './pages/verify-email';

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/account" replace />} />
        <Route path="sign-in" element={<SignInPage />} />
        <Route path="sign-in/verify-email" element={<VerifyEmailPage />} />
        <Route path="sign-in/phone" element={<SignInPhonePage />} />
        <Route path="sign-in/code" element={<SignInCodePage />} />
        <Route path="sign-in/mfa" element={<SignInMfaPage />} />
        <Route path="sign-in/step-up" element={<SignInStepUpPage />} />
        <Route path="sign-in/consent" element={<SignInConsentPage />} />
        <Route path="sign-in/new-phone" element={<SignInNewPhonePage />} />
        <Route path="forgot-password" element={<ForgotPasswordPage />} />
        <Route path="sign-up" element={<SignUpPage />} />
        <Route path="accept-invitation" element={<AcceptInvitationPage />} />
        <Route path="account" element={<AccountPage />} />
        <Route path="account/sessions" element={<SessionsPage />} />
        <Route path="account/security" element={<AccountSecurityPage />} />
        <Route path="admin" element={<AdminUsersPage />} />
        <Route path="admin/users/:userId" element={<AdminUserPage />} />
        <Route path="admin/audit" element={<AdminAuditPage />} />
        <Route path="admin/applications" element={<AdminApplicationsPage />} />
        <Route path="dev/outbox" element={<DevOutboxPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
