/**
 * Every configuration option, declared once. Each entry is the single source for:
 * - parsing and validating the environment at start (`loadConfig`),
 * - the documentation in `docs/configuration.md` (a test checks the two agree).
 */

export type OptionKind = 'string' | 'integer' | 'boolean' | 'url' | 'enum';

export interface OptionSpec {
  env: string;
  kind: OptionKind;
  /** Default in development; `undefined` means "no default". */
  default?: string;
  /** Allowed values for `enum`. */
  values?: readonly string[];
  min?: number;
  max?: number;
  /** Required in production mode (a missing value stops the start). */
  requiredInProduction?: boolean;
  /** Never printed or logged. */
  secret?: boolean;
  doc: string;
}

export const options = [
  {
    env: 'NODE_ENV',
    kind: 'enum',
    values: ['development', 'production', 'test'],
    default: 'development',
    doc: 'Mode. `production` requires secrets to be set, turns off the development outbox, sets `Secure` cookies with the `__Host-` prefix and sends HSTS.',
  },
  {
    env: 'HOST',
    kind: 'string',
    default: '127.0.0.1',
    doc: 'Interface to listen on. Use `0.0.0.0` behind a load balancer or in a container.',
  },
  {
    env: 'PORT',
    kind: 'integer',
    default: '3000',
    min: 0,
    max: 65535,
    doc: 'TCP port to listen on.',
  },
  {
    env: 'PUBLIC_URL',
    kind: 'url',
    default: 'http://localhost:3000',
    requiredInProduction: true,
    doc: "The origin users reach Portcullis at. Used for links in messages, the CSRF origin check, cookie security and, unless overridden, the passkeys' RP ID and expected origin. Must be `https://` in production.",
  },
  {
    env: 'PORTAL_NAME',
    kind: 'string',
    default: 'Provider Portal',
    doc: 'The portal name shown on pages and in every message ("Your <name> verification code is …").',
  },
  {
    env: 'ACCOUNT_PAGE_TITLE',
    kind: 'string',
    doc: 'The title of the account page (its security methods), as the portal calls it; the user menu links to it by this name. Unset: the policy preset\'s own, "Account Management" (email-first), "Manage My Account" (strong-mfa) or "My Details" (sms-required).',
  },
  {
    env: 'WEBAUTHN_RP_ID',
    kind: 'string',
    doc: 'The WebAuthn relying party ID passkeys are bound to (S15): a domain, equal to the host of every expected origin or a parent of it (`example.com` for `https://id.example.com`). Unset: the host of `PUBLIC_URL`. Changing it later makes every registered passkey stop working. Browsers refuse IP addresses; use `localhost` in development.',
  },
  {
    env: 'WEBAUTHN_ORIGINS',
    kind: 'string',
    doc: "Comma-separated origins (`https://id.example.com`) a passkey ceremony may come from; the browser's origin must match one exactly (S15). Unset: the origin of `PUBLIC_URL`. Plain `http://` only for `localhost`.",
  },
  {
    env: 'COOKIE_DOMAIN',
    kind: 'string',
    doc: "For portals behind a reverse proxy on the same parent domain (forward-auth): the session cookie's domain, e.g. `example.com` when PUBLIC_URL is `https://id.example.com`, so `GET /api/v1/forward-auth` sees it on `claims.example.com`. The cookie is then `__Secure-portcullis_session` with that Domain (every host under it receives it) instead of the host-only `__Host-` cookie. Unset: host-only (S16).",
  },
  {
    env: 'RETURN_TO_ORIGINS',
    kind: 'string',
    doc: 'Comma-separated origins (`https://claims.example.com`) the sign-in pages may send the browser back to after signing in (`return_to`), for portals using forward-auth. Any other `return_to` is ignored (no open redirect). Plain `http://` only for localhost.',
  },
  {
    env: 'WEBAUTHN_TIMEOUT_SECONDS',
    kind: 'integer',
    default: '300',
    min: 30,
    max: 600,
    doc: 'How long a passkey ceremony (adding a passkey, signing in or verifying with one) may take; its challenge expires with it and is accepted once (S15).',
  },
  {
    env: 'DATA_DIR',
    kind: 'string',
    default: './data',
    doc: 'Directory for the embedded SQLite database and, in development, generated secrets.',
  },
  {
    env: 'DATABASE_URL',
    kind: 'string',
    doc: 'Database. Unset: SQLite at `$DATA_DIR/portcullis.db`. `sqlite:/path/file.db` for another SQLite file, `postgres://user:pass@host:5432/db` for PostgreSQL (several server processes may share it).',
  },
  {
    env: 'DATABASE_POOL_SIZE',
    kind: 'integer',
    default: '10',
    min: 1,
    max: 200,
    doc: 'PostgreSQL connection pool size per process.',
  },
  {
    env: 'SECRET_KEY',
    kind: 'string',
    requiredInProduction: true,
    secret: true,
    doc: 'At least 32 bytes of randomness (e.g. `openssl rand -base64 48`). Keys the one-time-code and token hashes (HMAC-SHA-256). In development it is generated once and kept in `$DATA_DIR/secret-key`.',
  },
  {
    env: 'ENCRYPTION_KEYS',
    kind: 'string',
    secret: true,
    doc: 'Keys for secrets kept encrypted at rest (authenticator-app secrets, AES-256-GCM; S12): comma-separated `id:key` pairs, each key 32 bytes in base64 (`openssl rand -base64 32`), ids of letters, digits, `-` or `_`. The first key encrypts; every listed key decrypts. To rotate, put a new key first, run `npm run cli -- reencrypt`, then remove the old one. Unset: one key with id `k0`, derived from `SECRET_KEY`; that key still decrypts (never encrypts) once other keys are set, so `reencrypt` can move its secrets.',
  },
  {
    env: 'PORTCULLIS_POLICY',
    kind: 'string',
    default: 'email-first',
    doc: 'The policy: a preset name — `email-first` (seed 000: email verified at first sign-in, a phone offered with "Skip for Now", email or text to verify changes), `sms-required` (seed 002: a phone registered at the first sign-in, an SMS code at every sign-in, "Send code to email" as fallback) or `strong-mfa` (seed 001: from 7 March 2025 a passkey, authenticator + phone or password + phone, and a saved recovery code) — or the path of a JSON policy document that extends one (see `docs/policy.md`). A document that is not valid stops the start with the reasons. An administrator may replace it while the server runs (`PUT /api/v1/admin/policy`) until they clear it again.',
  },
  {
    env: 'SELF_SIGN_UP',
    kind: 'boolean',
    default: 'true',
    doc: 'Whether people may create their own accounts at `/sign-up`. When `false`, accounts come from invitations only.',
  },
  {
    env: 'PASSWORD_MIN_LENGTH',
    kind: 'integer',
    default: '12',
    min: 12,
    max: 128,
    doc: 'Minimum password length in Unicode code points (12 or more; S2).',
  },
  {
    env: 'SESSION_IDLE_MINUTES',
    kind: 'integer',
    default: '30',
    min: 1,
    max: 1440,
    doc: 'A session ends after this many minutes without a request (S17).',
  },
  {
    env: 'SESSION_ABSOLUTE_HOURS',
    kind: 'integer',
    default: '12',
    min: 1,
    max: 720,
    doc: 'A session ends this many hours after sign-in, whatever its activity (S17).',
  },
  {
    env: 'EMAIL_CODE_VALIDITY_SECONDS',
    kind: 'integer',
    default: '600',
    min: 30,
    max: 600,
    doc: 'How long an emailed verification code stays valid (never over 10 minutes; S8).',
  },
  {
    env: 'CODE_RESEND_COOLDOWN_SECONDS',
    kind: 'integer',
    default: '30',
    min: 30,
    max: 600,
    doc: 'Minimum wait between two codes for the same flow (S10).',
  },
  {
    env: 'INVITATION_VALIDITY_HOURS',
    kind: 'integer',
    default: '72',
    min: 1,
    max: 720,
    doc: 'How long an invitation link stays valid.',
  },
  {
    env: 'SMTP_URL',
    kind: 'string',
    secret: true,
    doc: 'Send email through this SMTP server (`smtp://user:pass@host:587`, `smtps://…` for implicit TLS). Unset: the development outbox (refused in production).',
  },
  {
    env: 'MAIL_FROM',
    kind: 'string',
    default: 'Portcullis <no-reply@localhost>',
    doc: 'The `From` address of every email.',
  },
  {
    env: 'TRUST_PROXY',
    kind: 'boolean',
    default: 'false',
    doc: 'Trust `X-Forwarded-*` headers (set when behind a reverse proxy or load balancer) so client IPs are right.',
  },
  {
    env: 'ACCESS_LOG',
    kind: 'enum',
    values: ['security', 'all', 'off'],
    default: 'security',
    doc: 'Which requests get access-log lines (at `info`). `security`: every change (any method but GET, HEAD, OPTIONS), arriving and answered, and every answer of 400 or more — not the successful reads such as the session check every portal page makes, which would cost a fifth of its time; `all`: every request, arriving and answered; `off`: none (audit events, warnings and errors are logged all the same).',
  },
  {
    env: 'LOG_LEVEL',
    kind: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    doc: 'Log level of the structured (pino) logs.',
  },
  {
    env: 'BODY_LIMIT_BYTES',
    kind: 'integer',
    default: '16384',
    min: 1024,
    max: 1048576,
    doc: 'Largest accepted request body (S7).',
  },
  {
    env: 'PHONE_DEFAULT_COUNTRY',
    kind: 'string',
    default: 'US',
    doc: 'ISO 3166 country (e.g. `US`, `GB`) assumed for numbers typed without a country code (`07546 123456` → `+447546123456` with `GB`).',
  },
  {
    env: 'PHONE_ALLOWED_COUNTRIES',
    kind: 'string',
    default: 'US,CA,GB',
    doc: 'Comma-separated ISO 3166 countries whose numbers may be registered and sent codes (S10), or `*` for any. Checked before any provider is called.',
  },
  {
    env: 'SMS_PROVIDER',
    kind: 'enum',
    values: ['dev-outbox', 'twilio'],
    default: 'dev-outbox',
    doc: "Who sends text messages and voice calls. `dev-outbox` stores them at `/dev/outbox` (never in production); `twilio` uses a provider with Twilio's REST API (Messages and Calls). Required in production when the policy can send texts or calls (`phone` in its `factors`, as in every preset); a deployment whose policy has no phone needs none, and an administrator's policy with a phone is then refused (`POLICY_INVALID`).",
  },
  {
    env: 'TWILIO_ACCOUNT_SID',
    kind: 'string',
    doc: 'Account SID for `SMS_PROVIDER=twilio`.',
  },
  {
    env: 'TWILIO_AUTH_TOKEN',
    kind: 'string',
    secret: true,
    doc: 'Auth token for `SMS_PROVIDER=twilio`.',
  },
  {
    env: 'TWILIO_FROM_NUMBER',
    kind: 'string',
    doc: 'The E.164 number (or messaging service sender) codes come from, for `SMS_PROVIDER=twilio`.',
  },
  {
    env: 'TWILIO_API_BASE_URL',
    kind: 'url',
    default: 'https://api.twilio.com',
    doc: 'Base URL of the Twilio-shaped API (change it for a compatible provider or a regional edge).',
  },
  {
    env: 'PROVIDER_TIMEOUT_MS',
    kind: 'integer',
    default: '5000',
    min: 500,
    max: 30000,
    doc: 'How long one call to the SMS/voice provider may take; a transient failure is retried once.',
  },
  {
    env: 'SMS_CODE_VALIDITY_SECONDS',
    kind: 'integer',
    default: '60',
    min: 30,
    max: 600,
    doc: 'How long a code sent by text or call stays valid (seed 000: 60 seconds; never over 10 minutes, S8).',
  },
  {
    env: 'SMS_LIMIT_PER_NUMBER',
    kind: 'integer',
    default: '5',
    min: 1,
    max: 100,
    doc: 'Texts and calls to one number per 10 minutes (S10).',
  },
  {
    env: 'SMS_LIMIT_PER_PREFIX',
    kind: 'integer',
    default: '20',
    min: 1,
    max: 10000,
    doc: 'Texts and calls per 10 minutes to numbers sharing a prefix (the E.164 number less its last four digits): stops pumping a block of premium numbers (S10).',
  },
  {
    env: 'SMS_LIMIT_PER_IP',
    kind: 'integer',
    default: '10',
    min: 1,
    max: 10000,
    doc: 'Texts and calls asked for from one client IP per 10 minutes (S10).',
  },
  {
    env: 'SMS_LIMIT_PER_ACCOUNT',
    kind: 'integer',
    default: '10',
    min: 1,
    max: 1000,
    doc: 'Texts and calls for one account per hour (S10).',
  },
  {
    env: 'SMS_HOURLY_BUDGET',
    kind: 'integer',
    default: '1000',
    min: 1,
    max: 10000000,
    doc: 'Texts and calls for the whole deployment per clock hour. When it is spent, sends stop until the hour ends and an alert is logged (S10).',
  },
  {
    env: 'REDIS_URL',
    kind: 'string',
    doc: 'Keep the shared counters (send limits, per-IP limits) in Redis (`redis://host:6379`) so several server processes share them without a database write. Unset: in the database (PostgreSQL) or in the process (SQLite, one process). While Redis cannot be reached, requests that count answer `503 REDIS_UNAVAILABLE` with `Retry-After` (never uncounted) and `/readyz` says so.',
  },
  {
    env: 'DATABASE_TIMEOUT_MS',
    kind: 'integer',
    default: '5000',
    min: 100,
    max: 60000,
    doc: 'The longest a request waits for a database connection, and then for a statement (S31). Past it, or when the database cannot be reached at all, the request answers `503 DATABASE_UNAVAILABLE` with `Retry-After`.',
  },
  {
    env: 'SMTP_TIMEOUT_SECONDS',
    kind: 'integer',
    default: '10',
    min: 1,
    max: 60,
    doc: "The longest each step of an SMTP conversation (connecting, the server's greeting, any answer) may take. Messages are sent from the durable outbox; one that fails is retried with backoff.",
  },
  {
    env: 'RATE_LIMIT_SIGN_IN_PER_MINUTE',
    kind: 'integer',
    default: '30',
    min: 1,
    max: 100000,
    doc: 'Sign-ins (an email and password, or a passkey answered without a password) accepted per client IP per minute (S33), on top of the per-account limits of S5. Set it to what the largest office behind one address needs.',
  },
  {
    env: 'RATE_LIMIT_SIGN_UP_PER_HOUR',
    kind: 'integer',
    default: '10',
    min: 1,
    max: 100000,
    doc: 'Sign-ups accepted per client IP per hour (S33).',
  },
  {
    env: 'RATE_LIMIT_PUBLIC_PER_MINUTE',
    kind: 'integer',
    default: '60',
    min: 1,
    max: 100000,
    doc: 'Requests per client IP per minute to the other public routes that take a secret or send a message: invitations, password reset, passkey options (S33). Over any of the limits: `429 TOO_MANY_REQUESTS` with `Retry-After`. Client IPs come from `X-Forwarded-For` only with `TRUST_PROXY`.',
  },
  {
    env: 'RATE_LIMIT_TOKEN_PER_MINUTE',
    kind: 'integer',
    default: '600',
    min: 1,
    max: 1000000,
    doc: "Requests per minute to the OpenID Connect token endpoint (`/oidc/token`: codes redeemed, refresh tokens used), per client IP. A portal's server makes every one of its users' calls from its own address: set it above what the busiest portal needs. Over it: `429 TOO_MANY_REQUESTS` with `Retry-After`.",
  },
  {
    env: 'OIDC_BACKCHANNEL_PRIVATE_NETWORKS',
    kind: 'boolean',
    default: 'false',
    doc: "Whether back-channel logout tokens may be sent to a client's `backchannelLogoutUri` on a private or loopback address (10.x, 192.168.x, 127.x, …). Off, the provider's guard against server-side request forgery refuses them: turn it on only when the portals that registered such URIs are your own, inside your network (and in tests).",
  },
] as const satisfies readonly OptionSpec[];

export type OptionName = (typeof options)[number]['env'];
