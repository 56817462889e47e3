import { formatDateTime } from '../format';

/**
 * An administrator's temporary MFA exemption (seed 002: "they can disable MFA temporarily"), on
 * the account and security pages while it lasts; `until` is null once it has ended.
 */
export function MfaExemptionNotice({ until }: { until: string | null }) {
  if (!until) return null;
  return (
    <p role="status" className="alert alert-info">
      Multi-factor authentication is turned off for your account until {formatDateTime(until)} by
      your administrator.
    </p>
  );
}
