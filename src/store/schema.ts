/**
 * Database schema types. Portable column types only: text ids, integer epoch-ms times
 * (`bigint`), text JSON for opaque blobs. Tables and columns are snake_case, tables plural.
 */
import type { Generated, Insertable, Kysely, Selectable } from 'kysely';

export type AccountState = 'invited' | 'active' | 'disabled';
/** `org_admin`: an organisation administrator, who helps the members of their own organisation. */
export type Role = 'user' | 'admin' | 'org_admin';

export interface AccountsTable {
  id: string;
  email: string;
  email_normalized: string;
  email_verified_at: number | null;
  password_hash: string | null;
  state: AccountState;
  role: Role;
  created_at: number;
  updated_at: number;
  /** When the user chose "Skip for Now" on the phone offer at sign-in (seed 000). */
  phone_offer_dismissed_at: number | null;
  /** The organisation the account belongs to (at most one), whose policy override applies. */
  organisation_id: string | null;
  /** The user's name as an administrator or invitation gave it (searched by `name_key`). */
  display_name: string | null;
  name_key: string | null;
  /** Until when an administrator turned multi-factor authentication off (read by every check). */
  mfa_exempt_until: number | null;
}

export interface OrganisationsTable {
  id: string;
  /** Unique whatever its case. */
  name: string;
  /** JSON: the organisation's policy override (`PolicyOverrideDocument`); null: none. */
  policy: string | null;
  created_at: number;
  updated_at: number;
}

/** The deployment policy an administrator set through the admin API (one row, id 'current'). */
export interface DeploymentPoliciesTable {
  id: 'current';
  /** JSON: the policy document as written (`PolicyDocument`). */
  document: string;
  updated_at: number;
  updated_by: string | null;
}

export interface InvitationsTable {
  id: string;
  token_hash: string;
  account_id: string;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  account_id: string;
  aal: 'aal1' | 'aal2';
  /** JSON: `[{ method, at }]` — the methods used and when (RFC 8176 names). */
  amr: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
  /** When the session last passed a step-up verification (S20). */
  step_up_at: number | null;
  /** This session's idle limit (its account's policy at sign-in); null: the deployment's. */
  idle_ms: number | null;
}

export interface PhonesTable {
  id: string;
  account_id: string;
  /** E.164 only (S11). */
  e164: string;
  country: string;
  /** `mobile` numbers get texts and calls; `landline` numbers get calls only. */
  kind: 'mobile' | 'landline';
  verified_at: number;
  created_at: number;
  last_used_at: number | null;
}

export interface TotpFactorsTable {
  id: string;
  account_id: string;
  /** AES-256-GCM sealed secret (S12), base64; never the secret itself. */
  secret_ciphertext: string;
  /** Which configured encryption key sealed it. */
  key_id: string;
  /** The last accepted 30 s time step: that step and earlier ones are refused (S13). */
  last_step: number | null;
  created_at: number;
  last_used_at: number | null;
}

export interface RecoveryCodesTable {
  id: string;
  account_id: string;
  /** argon2id PHC string (S14). */
  code_hash: string;
  digits: number;
  created_at: number;
  /** When the user confirmed they saved it. */
  saved_at: number | null;
  used_at: number | null;
  /** Replaced by a new code before it was used. */
  revoked_at: number | null;
}

export interface PasskeysTable {
  id: string;
  account_id: string;
  /** The WebAuthn credential id, base64url; unique across all accounts (S15). */
  credential_id: string;
  /** The credential's COSE public key, base64url. Never a private key. */
  public_key: string;
  /** The authenticator's signature counter as last accepted (0 for authenticators without one). */
  sign_count: number;
  /** JSON array of the transports the browser reported (`internal`, `hybrid`, `usb`, …). */
  transports: string;
  /** The user's name for it ("Work laptop"). */
  name: string;
  aaguid: string;
  /** 1 when the credential may be synced (backup eligible, BE); fixed at registration. */
  backup_eligible: number;
  /** 1 when the credential is backed up / synced (BS), as last reported. */
  backed_up: number;
  created_at: number;
  last_used_at: number | null;
  /** When its signature counter went backwards (a possible clone): refused from then on. */
  flagged_at: number | null;
}

export interface RateCountersTable {
  key: string;
  window_start: number;
  count: number;
}

export interface FlowsTable {
  /** Keyed hash of the flow token the client holds. */
  id: string;
  kind: string;
  state: string;
  account_id: string | null;
  /** JSON: flow-specific data. */
  data: string;
  version: number;
  created_at: number;
  expires_at: number;
}

export interface OneTimeCodesTable {
  id: string;
  account_id: string | null;
  flow_id: string | null;
  purpose: string;
  channel: 'email' | 'sms' | 'voice';
  destination: string;
  code_hash: string;
  attempts: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
}

export interface FailureCountersTable {
  subject: string;
  failures: number;
  last_failure_at: number;
  locked_at: number | null;
  /** The account a lock-out belongs to, where known (the admin console lists locked users). */
  account_id: string | null;
}

/** A phone number an administrator entered: it replaces the saved one once its code is entered. */
export interface PendingPhonesTable {
  account_id: string;
  e164: string;
  country: string;
  kind: 'mobile' | 'landline';
  set_by: string | null;
  created_at: number;
}

/** One `oidc-provider` model instance (issue 14): its JSON payload under (kind, id). */
export interface OidcPayloadsTable {
  kind: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

/** A signing key of the OpenID Connect provider, its private JWK sealed. */
export interface OidcSigningKeysTable {
  kid: string;
  alg: string;
  sealed_jwk: string;
  created_at: number;
  signs_from: number;
  retired_at: number | null;
}

/** A relying party an administrator registered (issue 14). */
export interface OidcClientsTable {
  client_id: string;
  name: string;
  kind: 'confidential' | 'public';
  secret_hash: string | null;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  scopes: string;
  min_acr: string;
  first_party: number;
  backchannel_logout_uri: string | null;
  created_by: string | null;
  created_at: number;
  /** `client_secret_basic`, `private_key_jwt` (with `jwks`) or `none` (a public client). */
  auth_method: 'client_secret_basic' | 'private_key_jwt' | 'none';
  /** The client's public keys (a JSON JWKS), for `private_key_jwt`. */
  jwks: string | null;
  id_token_alg: 'ES256' | 'RS256';
}

/** A relying party a session signed in to, with the provider's `sid` for it (back-channel). */
export interface OidcLoginsTable {
  session_id: string;
  client_id: string;
  account_id: string;
  sid: string;
  grant_id: string | null;
  created_at: number;
  expires_at: number;
}

/** The development outbox (`delivery/dev-outbox.ts`): what was "sent", shown at /dev/outbox. */
export interface OutboxMessagesTable {
  id: string;
  channel: 'email' | 'sms' | 'voice';
  recipient: string;
  subject: string | null;
  body: string;
  created_at: number;
}

/** The durable outbox (S32): see `delivery/outbox.ts`. */
export interface OutgoingMessagesTable {
  id: string;
  channel: 'email' | 'sms' | 'voice';
  recipient: string;
  /** The secret box's key id and ciphertext of the subject and text. */
  key_id: string;
  sealed: string;
  created_at: number;
  not_after: number;
  next_attempt_at: number;
  attempts: Generated<number>;
  claimed_until: Generated<number>;
  last_error: string | null;
  failed_at: number | null;
}

export interface AuditEventsTable {
  id: string;
  at: number;
  actor_id: string | null;
  action: string;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** JSON, never secrets. */
  details: string;
  /** The organisation the event belongs to (an organisation administrator's scope), if any. */
  organisation_id: string | null;
  /** A free-text reason an administrator gave (at most 500 characters). */
  reason: string | null;
}

export interface Database {
  accounts: AccountsTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  flows: FlowsTable;
  one_time_codes: OneTimeCodesTable;
  failure_counters: FailureCountersTable;
  outbox_messages: OutboxMessagesTable;
  outgoing_messages: OutgoingMessagesTable;
  audit_events: AuditEventsTable;
  phones: PhonesTable;
  pending_phones: PendingPhonesTable;
  oidc_payloads: OidcPayloadsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  oidc_clients: OidcClientsTable;
  oidc_logins: OidcLoginsTable;
  rate_counters: RateCountersTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  organisations: OrganisationsTable;
  deployment_policies: DeploymentPoliciesTable;
}

export type Db = Kysely<Database>;
export type Account = Selectable<AccountsTable>;
export type Session = Selectable<SessionsTable>;
export type Flow = Selectable<FlowsTable>;
export type NewAccount = Insertable<AccountsTable>;
export type Phone = Selectable<PhonesTable>;
export type TotpFactor = Selectable<TotpFactorsTable>;
export type RecoveryCode = Selectable<RecoveryCodesTable>;
export type Passkey = Selectable<PasskeysTable>;
export type Organisation = Selectable<OrganisationsTable>;
