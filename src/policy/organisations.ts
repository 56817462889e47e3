/**
 * Organisations, for the admin API (`admin.ts`): create one (its override validated, every bad
 * field named), list them, read one with its members and the policy they get (the deployment's
 * tightened by the override), set or clear the override, add and remove members. An account
 * belongs to one organisation at most (a guarded update: of two admins adding one account to two
 * organisations, one wins). Every change is audited with the administrator as actor (S25); a
 * member added or removed is told, since the rules of their sign-in change (S21).
 */
import { parseEmail } from '../accounts/email.js';
import type { RequestOrigin } from '../audit/audit.js';
import { newId } from '../crypto/random.js';
import { securityNotice } from '../delivery/messages.js';
import { AppError } from '../errors/app-error.js';
import { isUniqueViolation } from '../store/dialect.js';
import type { Account, Organisation } from '../store/schema.js';
import { validated } from './validated.js';
import type {
  Admin,
  OrganisationDetail,
  OrganisationView,
  PolicyAdmin,
  PolicyAdminDeps,
} from './admin.js';
import { overrideFromDocument, type PolicyOverrideDocument } from './schema.js';
import { tighten } from './tighten.js';

type OrganisationAdmin = Omit<PolicyAdmin, 'deployment' | 'setDeployment' | 'clearDeployment'>;

export function organisationAdmin(d: PolicyAdminDeps): OrganisationAdmin {
  const { db, clock } = d;

  const view = (o: Organisation, memberCount: number): OrganisationView => ({
    id: o.id,
    name: o.name,
    override: o.policy === null ? null : (JSON.parse(o.policy) as PolicyOverrideDocument),
    memberCount,
    createdAt: o.created_at,
    updatedAt: o.updated_at,
  });

  async function organisation(id: string): Promise<OrganisationDetail> {
    const o = await db
      .selectFrom('organisations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!o) throw new AppError('ORGANISATION_NOT_FOUND');
    const members = await d.accounts.membersOf(id);
    const base = await d.policies.deployment();
    const override = o.policy === null ? null : overrideFromDocument(JSON.parse(o.policy));
    return {
      organisation: view(o, members.length),
      members,
      policy: override === null ? base : tighten(base, override),
    };
  }

  async function membershipChanged(
    admin: Admin,
    member: Pick<Account, 'id' | 'email'>,
    org: { id: string; name: string },
    added: boolean,
    origin: RequestOrigin,
  ) {
    // Inside the caller's unit of work: the membership, its audit event and the notice commit together.
    await d.audit.record({
      action: added ? 'organisation.member_added' : 'organisation.member_removed',
      actorId: admin.id,
      targetId: member.id,
      organisationId: org.id,
      origin,
      details: { organisationId: org.id },
    });
    await d.notify(
      securityNotice(
        d.portalName,
        member.email,
        added
          ? `An administrator added your account to the organisation "${org.name}". Its sign-in rules now apply to you.`
          : `An administrator removed your account from the organisation "${org.name}". The portal's own sign-in rules now apply to you.`,
      ),
    );
  }

  return {
    async createOrganisation(admin, input, origin) {
      const name = input.name.replace(/\s+/g, ' ').trim();
      const override =
        input.override == null ? null : validated(() => overrideFromDocument(input.override));
      const now = clock.now();
      const id = newId();
      // The organisation and its audit event commit together, or neither does (S25).
      await d.units.transaction(async () => {
        try {
          await db
            .insertInto('organisations')
            .values({
              id,
              name,
              policy: override === null ? null : JSON.stringify(override),
              created_at: now,
              updated_at: now,
            })
            .execute();
        } catch (err) {
          if (isUniqueViolation(err)) throw new AppError('ORGANISATION_EXISTS');
          throw err;
        }
        await d.audit.record({
          action: 'organisation.created',
          actorId: admin.id,
          targetId: id,
          organisationId: id,
          origin,
          details: { name, override: override === null ? null : Object.keys(override).join(',') },
        });
      });
      return organisation(id);
    },

    async organisations() {
      const rows = await db
        .selectFrom('organisations as o')
        .selectAll('o')
        .select((eb) =>
          eb
            .selectFrom('accounts as a')
            .select((a) => a.fn.countAll<number>().as('n'))
            .whereRef('a.organisation_id', '=', 'o.id')
            .as('member_count'),
        )
        .orderBy('o.name')
        .execute();
      return rows.map(({ member_count, ...o }) => view(o, Number(member_count ?? 0)));
    },

    organisation,

    async setOverride(admin, id, document, origin) {
      const override = document === null ? null : validated(() => overrideFromDocument(document));
      await d.units.transaction(async () => {
        const result = await db
          .updateTable('organisations')
          .set({
            policy: override === null ? null : JSON.stringify(override),
            updated_at: clock.now(),
          })
          .where('id', '=', id)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) throw new AppError('ORGANISATION_NOT_FOUND');
        await d.audit.record({
          action: 'organisation.policy_set',
          actorId: admin.id,
          targetId: id,
          organisationId: id,
          origin,
          details: { override: override === null ? null : Object.keys(override).join(',') },
        });
      });
      return organisation(id);
    },

    async addMember(admin, id, email, origin) {
      const { normalized } = parseEmail(email);
      const org = await db
        .selectFrom('organisations')
        .select(['id', 'name'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!org) throw new AppError('ORGANISATION_NOT_FOUND');
      const account = await d.accounts.byEmailKey(normalized);
      if (!account) throw new AppError('ACCOUNT_NOT_FOUND');
      const member = { id: account.id, email: account.email };
      if (account.organisation_id === id) return member;
      await d.units.transaction(async () => {
        // Guarded: of two admins adding one account to two organisations, one wins.
        if (!(await d.accounts.joinOrganisation(account.id, id, clock.now())))
          throw new AppError('ACCOUNT_IN_OTHER_ORGANISATION');
        await membershipChanged(admin, account, org, true, origin);
      });
      return member;
    },

    async removeMember(admin, id, accountId, origin) {
      const org = await db
        .selectFrom('organisations')
        .select(['id', 'name'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!org) throw new AppError('ORGANISATION_NOT_FOUND');
      const account = await d.accounts.byId(accountId);
      if (account?.organisation_id !== id) throw new AppError('MEMBER_NOT_FOUND');
      await d.units.transaction(async () => {
        if (!(await d.accounts.leaveOrganisation(accountId, id, clock.now())))
          throw new AppError('MEMBER_NOT_FOUND');
        await membershipChanged(admin, account, org, false, origin);
      });
    },
  };
}
