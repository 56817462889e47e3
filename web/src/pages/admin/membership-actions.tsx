/**
 * Who the user is in the portal: an invitation not accepted yet is sent again or revoked, and a
 * deployment's administrator makes an organisation's member its administrator (or a member
 * again). Organisation administrators do not get the role buttons: the API refuses them.
 */
import { formatDateTime } from '../../format';
import type { Action } from './account-actions';
import { adminApi, type UserDetail } from './admin-api';

export function invitationActions({ user }: UserDetail): Action[] {
  if (user.state !== 'invited') return [];
  const who = user.email;
  return [
    {
      id: 'invitation-resend',
      button: 'Send the invitation again',
      title: 'Send the invitation again',
      confirmLabel: 'Send it again',
      reason: 'none',
      children: <p>{who} gets a new invitation link by email; the old link stops working.</p>,
      act: async () => {
        const { expiresAt } = await adminApi.resendInvitation(user.id);
        return `A new invitation was sent to ${who}. It works until ${formatDateTime(expiresAt)}.`;
      },
    },
    {
      id: 'invitation-revoke',
      button: 'Revoke the invitation',
      title: 'Revoke the invitation',
      confirmLabel: 'Revoke it',
      danger: true,
      reason: 'optional',
      children: <p>The invitation link sent to {who} stops working.</p>,
      act: async (reason) => {
        await adminApi.revokeInvitation(user.id, reason);
        return `The invitation of ${who} was revoked.`;
      },
    },
  ];
}

/** `deploymentAdmin`: whether the acting administrator is the whole deployment's. */
export function roleActions({ user }: UserDetail, deploymentAdmin: boolean): Action[] {
  if (!deploymentAdmin || user.organisationId === null) return [];
  const who = user.email;
  const where = user.organisationName ?? 'their organisation';
  if (user.role === 'user')
    return [
      {
        id: 'role-org-admin',
        button: 'Make organisation administrator',
        title: 'Make organisation administrator',
        confirmLabel: 'Make administrator',
        reason: 'optional',
        children: (
          <p>
            {who} can open the admin console for the members of {where}: find them, turn MFA off for
            a while, reset their sign-in methods and read their audit log.
          </p>
        ),
        act: async (reason) => {
          await adminApi.setRole(user.id, 'org_admin', reason);
          return `${who} is now an administrator of ${where}.`;
        },
      },
    ];
  if (user.role === 'org_admin')
    return [
      {
        id: 'role-user',
        button: 'Make a member again',
        title: 'Make a member again',
        confirmLabel: 'Make a member',
        reason: 'optional',
        children: <p>{who} can no longer open the admin console.</p>,
        act: async (reason) => {
          await adminApi.setRole(user.id, 'user', reason);
          return `${who} is a member of ${where} again.`;
        },
      },
    ];
  return [];
}
