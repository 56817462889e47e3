/**
 * Policy administration, behind the admin routes (S23: their context checks the admin role and
 * an AAL2 session); organisations are in organisations.ts. It enforces:
 *   - the deployment policy an administrator sets replaces PORTCULLIS_POLICY until cleared, and
 *     is validated (every bad field named) before it is stored; one that lets users add a phone
 *     is refused where no SMS provider is configured (production without one: `texts.ts`);
 *   - an organisation's override is validated the same way, and only ever tightens (`tighten`);
 *   - an account belongs to one organisation at most: adding a member of another is refused;
 *   - every change is audited with the administrator as actor (S25), and a member added or
 *     removed is told, since the rules of their sign-in change (S21).
 * Changes take effect at the next request: the policy source reads the database every time.
 */
import type { AuditLog, RequestOrigin } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { OutgoingMessage } from '../delivery/sender.js';
import type { Account, Db } from '../store/schema.js';
import { organisationAdmin } from './organisations.js';
import type { Policy } from './presets.js';
import {
  policyFromDocument,
  PolicyError,
  type PolicyDocument,
  type PolicyOverrideDocument,
} from './schema.js';
import type { PolicySource } from './source.js';
import { NO_SMS_PROVIDER, sendsTexts } from './texts.js';
import { validated } from './validated.js';
import type { UnitOfWork } from '../store/unit-of-work.js';
import type { AccountRepo } from '../accounts/repo.js';

export interface DeploymentPolicyView {
  /** `configuration`: PORTCULLIS_POLICY applies; `administrator`: the document set here. */
  source: 'configuration' | 'administrator';
  document: PolicyDocument | null;
  updatedAt: number | null;
  updatedBy: { id: string; email: string } | null;
  /** The deployment's policy as it applies now. */
  policy: Policy;
}

export interface OrganisationView {
  id: string;
  name: string;
  override: PolicyOverrideDocument | null;
  memberCount: number;
  createdAt: number;
  updatedAt: number;
}

export interface OrganisationDetail {
  organisation: OrganisationView;
  members: { id: string; email: string }[];
  /** What its members get: the deployment's policy tightened by the override. */
  policy: Policy;
}

export type Admin = Pick<Account, 'id'>;

export interface PolicyAdmin {
  deployment(): Promise<DeploymentPolicyView>;
  setDeployment(
    admin: Admin,
    document: unknown,
    origin: RequestOrigin,
  ): Promise<DeploymentPolicyView>;
  clearDeployment(admin: Admin, origin: RequestOrigin): Promise<DeploymentPolicyView>;
  createOrganisation(
    admin: Admin,
    input: { name: string; override?: unknown },
    origin: RequestOrigin,
  ): Promise<OrganisationDetail>;
  organisations(): Promise<OrganisationView[]>;
  organisation(id: string): Promise<OrganisationDetail>;
  /** Sets the override; `null` clears it. */
  setOverride(
    admin: Admin,
    id: string,
    override: unknown,
    origin: RequestOrigin,
  ): Promise<OrganisationDetail>;
  addMember(
    admin: Admin,
    id: string,
    email: string,
    origin: RequestOrigin,
  ): Promise<{ id: string; email: string }>;
  removeMember(admin: Admin, id: string, accountId: string, origin: RequestOrigin): Promise<void>;
}

export interface PolicyAdminDeps {
  units: UnitOfWork;
  accounts: AccountRepo;
  db: Db;
  clock: Clock;
  audit: AuditLog;
  policies: PolicySource;
  /** PORTCULLIS_POLICY: what applies when no administrator has set one. */
  configured: Policy;
  /** Whether texts and calls can be sent (an SMS provider, or the development outbox). */
  textsAvailable: boolean;
  portalName: string;
  notify: (message: OutgoingMessage) => Promise<void>;
}

export function createPolicyAdmin(d: PolicyAdminDeps): PolicyAdmin {
  const { db, clock } = d;

  async function deployment(): Promise<DeploymentPolicyView> {
    const row = await db
      .selectFrom('deployment_policies as d')
      .leftJoin('accounts as a', 'a.id', 'd.updated_by')
      .select(['d.document', 'd.updated_at', 'd.updated_by', 'a.email'])
      .where('d.id', '=', 'current')
      .executeTakeFirst();
    if (!row)
      return {
        source: 'configuration',
        document: null,
        updatedAt: null,
        updatedBy: null,
        policy: d.configured,
      };
    const document = JSON.parse(row.document) as PolicyDocument;
    return {
      source: 'administrator',
      document,
      updatedAt: row.updated_at,
      updatedBy:
        row.updated_by === null ? null : { id: row.updated_by, email: row.email ?? '(removed)' },
      policy: policyFromDocument(document),
    };
  }

  return {
    ...organisationAdmin(d),
    deployment,

    async setDeployment(admin, document, origin) {
      const policy = validated(() => {
        const next = policyFromDocument(document);
        // Its users could add a phone no code could reach: refused, the running policy kept.
        if (sendsTexts(next) && !d.textsAvailable) throw new PolicyError([NO_SMS_PROVIDER]);
        return next;
      });
      const now = clock.now();
      const values = { document: JSON.stringify(document), updated_at: now, updated_by: admin.id };
      // The change and its audit event commit together, or neither does (S25).
      await d.units.transaction(async () => {
        await db
          .insertInto('deployment_policies')
          .values({ id: 'current', ...values })
          .onConflict((oc) => oc.column('id').doUpdateSet(values))
          .execute();
        await d.audit.record({
          action: 'policy.deployment_set',
          actorId: admin.id,
          origin,
          details: { preset: policy.preset, name: policy.name },
        });
      });
      return deployment();
    },

    async clearDeployment(admin, origin) {
      await d.units.transaction(async () => {
        await db.deleteFrom('deployment_policies').where('id', '=', 'current').execute();
        await d.audit.record({
          action: 'policy.deployment_cleared',
          actorId: admin.id,
          origin,
          details: { preset: d.configured.preset, name: d.configured.name },
        });
      });
      return deployment();
    },
  };
}
