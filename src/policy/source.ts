/**
 * Where flows get the policy from: the deployment's (PORTCULLIS_POLICY, or what an administrator
 * set through the admin API) tightened, for a member of an organisation, by the organisation's
 * override (`tighten.ts`). Flows ask per account and per request, never keep a copy.
 */
import { compiledOnce } from '../store/compiled.js';
import type { Db } from '../store/schema.js';
import type { Policy } from './presets.js';
import { overrideFromDocument, policyFromDocument } from './schema.js';
import { tighten, type PolicyOverride } from './tighten.js';

export interface PolicySource {
  /** The deployment's policy now (what a signed-out page or an unknown email gets). */
  deployment(): Promise<Policy>;
  /** The policy for one account: the deployment's, tightened by its organisation's override. */
  forAccount(accountId: string): Promise<Policy>;
}

/** A fixed policy for everyone (unit tests, tools). */
export function fixedPolicySource(policy: Policy): PolicySource {
  return {
    deployment: () => Promise.resolve(policy),
    forAccount: () => Promise.resolve(policy),
  };
}

/**
 * Parsed documents by their exact text: a stored document is validated once per process, and a
 * changed one is a new key, so nothing here can go stale (the text itself is read every time).
 */
function parsedByText<T>(parse: (doc: unknown) => T): (text: string) => T {
  const seen = new Map<string, T>();
  return (text) => {
    let value = seen.get(text);
    if (value === undefined) {
      value = parse(JSON.parse(text));
      if (seen.size >= 100) seen.clear();
      seen.set(text, value);
    }
    return value;
  };
}

/**
 * The policy from the database: the document an administrator set (`deployment_policies`), else
 * the configured one (PORTCULLIS_POLICY); for an account, tightened by its organisation's
 * override. Every call reads the database — one small query by primary key, joined along the
 * indexed `accounts.organisation_id` — and keeps no copy of the answer, so a change made through
 * any server process applies at the next request in every other one (several processes behind a
 * load balancer share nothing but the database).
 */
export function createPolicySource(db: Db, configured: Policy): PolicySource {
  const policyOf = parsedByText(policyFromDocument);
  const overrideOf = parsedByText<PolicyOverride>(overrideFromDocument);
  const deploymentFrom = (document: string | null | undefined) =>
    document == null ? configured : policyOf(document);

  // Read at every sign-in: compiled once.
  const forAccountRows = compiledOnce(db, (accountId: string) =>
    db
      .selectFrom('accounts as a')
      .leftJoin('organisations as o', 'o.id', 'a.organisation_id')
      .leftJoin('deployment_policies as d', (join) => join.on('d.id', '=', 'current'))
      .select(['o.policy as override', 'd.document'])
      .where('a.id', '=', accountId),
  );

  async function deployment(): Promise<Policy> {
    const row = await db
      .selectFrom('deployment_policies')
      .select('document')
      .where('id', '=', 'current')
      .executeTakeFirst();
    return deploymentFrom(row?.document);
  }

  return {
    deployment,
    async forAccount(accountId) {
      const [row] = await forAccountRows(accountId);
      if (!row) return deployment();
      const base = deploymentFrom(row.document);
      return row.override === null ? base : tighten(base, overrideOf(row.override));
    },
  };
}
