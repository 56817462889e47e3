/**
 * Reads the environment against `options`, validates every value and names the variable at
 * fault. In development a missing SECRET_KEY is generated once and kept under DATA_DIR.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomToken } from '../crypto/random.js';
import { options, type OptionSpec } from './options.js';
import { parsePortals, type PortalsConfig } from './portals.js';
import { parseRelyingParty, type RelyingPartyConfig } from './webauthn.js';
import { presets, type Policy } from '../policy/presets.js';
import { PolicyError, resolvePolicy } from '../policy/schema.js';
import { sendsTexts } from '../policy/texts.js';

export type Mode = 'development' | 'production' | 'test';
export type PolicyName = 'email-first' | 'strong-mfa' | 'sms-required';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  mode: Mode;
  host: string;
  port: number;
  publicUrl: URL;
  portalName: string;
  /** The account page's title; null: the policy preset's own (http/routes/public/config.ts). */
  accountPageTitle: string | null;
  dataDir: string;
  database:
    | { kind: 'sqlite'; file: string }
    | { kind: 'postgres'; url: string; poolSize: number; schema?: string };
  secretKey: string;
  /** The deployment's policy (a preset, or a JSON document extending one). */
  policy: Policy;
  selfSignUp: boolean;
  passwordMinLength: number;
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  emailCodeValidityMs: number;
  codeResendCooldownMs: number;
  invitationValidityMs: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  trustProxy: boolean;
  /** Back-channel logout may reach clients on private or loopback networks. */
  oidcBackchannelPrivateNetworks: boolean;
  logLevel: LogLevel;
  /** Which requests get access-log lines (`http/access-log.ts`). */
  accessLog: 'security' | 'all' | 'off';
  bodyLimitBytes: number;
  phone: { defaultCountry: string; allowedCountries: readonly string[] | '*' };
  sms: {
    provider: 'dev-outbox' | 'twilio';
    twilio:
      { accountSid: string; authToken: string; fromNumber: string; baseUrl: string } | undefined;
    timeoutMs: number;
    codeValidityMs: number;
    limits: {
      perNumber: number;
      perPrefix: number;
      perIp: number;
      perAccount: number;
      hourlyBudget: number;
    };
  };
  redisUrl: string | undefined;
  /** The longest a request waits for the database (a connection, then a statement). */
  databaseTimeoutMs: number;
  smtpTimeoutMs: number;
  /** How long an outbox claim holds: longer than any one send may take (SMTP or provider). */
  outboxLeaseMs: number;
  /** Per client IP (S33). */
  rateLimits: {
    signInPerMinute: number;
    signUpPerHour: number;
    publicPerMinute: number;
    tokenPerMinute: number;
  };
  /** Encryption keys, the current (encrypting) one first; `derived` when from SECRET_KEY. */
  encryptionKeys: { id: string; key: Buffer }[] | 'derived';
  /** Passkeys: the relying party (RP ID, expected origins, ceremony timeout). */
  webauthn: RelyingPartyConfig;
  /** Portals behind a reverse proxy (forward-auth): the cookie's domain, where to return. */
  portals: PortalsConfig;
  /**
   * Not an option (no variable sets it): the test configuration's guard that a route answers only
   * the error codes its schema declares (`http/declared-errors.ts`). Off, errors answer as they are.
   */
  strictErrors?: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, string | undefined>;

function parseOne(
  spec: OptionSpec,
  raw: string,
  problems: string[],
): string | number | boolean | undefined {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'integer': {
      if (!/^-?\d+$/.test(raw)) {
        problems.push(`${spec.env} must be a whole number (got "${raw}")`);
        return undefined;
      }
      const n = Number(raw);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        problems.push(`${spec.env} must be between ${spec.min} and ${spec.max} (got ${n})`);
        return undefined;
      }
      return n;
    }
    case 'boolean':
      if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
      if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
      problems.push(`${spec.env} must be true or false (got "${raw}")`);
      return undefined;
    case 'url':
      try {
        new URL(raw);
        return raw;
      } catch {
        problems.push(
          `${spec.env} must be an absolute URL such as https://id.example.com (got "${raw}")`,
        );
        return undefined;
      }
    case 'enum':
      if (spec.values?.includes(raw)) return raw;
      problems.push(`${spec.env} must be one of ${spec.values?.join(', ')} (got "${raw}")`);
      return undefined;
  }
}

function devSecret(dataDir: string): string {
  const file = join(dataDir, 'secret-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomToken(48);
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

export function loadConfig(env: Raw = process.env): Config {
  const problems: string[] = [];
  const mode = (
    env.NODE_ENV && ['development', 'production', 'test'].includes(env.NODE_ENV)
      ? env.NODE_ENV
      : 'development'
  ) as Mode;
  const v: Record<string, string | number | boolean | undefined> = {};
  for (const spec of options as readonly OptionSpec[]) {
    const raw = env[spec.env];
    if (raw === undefined || raw === '') {
      if (mode === 'production' && spec.requiredInProduction) {
        problems.push(`${spec.env} is required in production (${spec.doc.split('.')[0]})`);
      }
      v[spec.env] = spec.default === undefined ? undefined : parseOne(spec, spec.default, problems);
    } else {
      v[spec.env] = parseOne(spec, raw, problems);
    }
  }

  const publicUrl = new URL(String(v.PUBLIC_URL ?? 'http://localhost:3000'));
  if (mode === 'production' && publicUrl.protocol !== 'https:') {
    problems.push('PUBLIC_URL must use https:// in production');
  }
  const secretRaw = v.SECRET_KEY as string | undefined;
  if (secretRaw !== undefined && Buffer.byteLength(secretRaw) < 32) {
    problems.push('SECRET_KEY must be at least 32 characters of randomness');
  }
  if (mode === 'production' && !v.SMTP_URL) {
    problems.push('SMTP_URL is required in production (the development outbox is off there)');
  }

  const dataDir = resolve(String(v.DATA_DIR));
  const dbUrl = v.DATABASE_URL as string | undefined;
  let database: Config['database'] = { kind: 'sqlite', file: join(dataDir, 'portcullis.db') };
  if (dbUrl) {
    if (/^postgres(ql)?:\/\//.test(dbUrl)) {
      database = { kind: 'postgres', url: dbUrl, poolSize: Number(v.DATABASE_POOL_SIZE) };
    } else if (dbUrl.startsWith('sqlite:')) {
      const file = dbUrl.slice('sqlite:'.length);
      database = { kind: 'sqlite', file: file === ':memory:' ? file : resolve(file) };
    } else {
      problems.push('DATABASE_URL must start with postgres:// or sqlite: (got another scheme)');
    }
  }

  const country = /^[A-Z]{2}$/;
  const defaultCountry = String(v.PHONE_DEFAULT_COUNTRY).toUpperCase();
  if (!country.test(defaultCountry)) {
    problems.push(
      `PHONE_DEFAULT_COUNTRY must be a two-letter ISO 3166 country such as US or GB (got "${String(v.PHONE_DEFAULT_COUNTRY)}")`,
    );
  }
  const allowedRaw = String(v.PHONE_ALLOWED_COUNTRIES).trim();
  const allowedCountries =
    allowedRaw === '*'
      ? ('*' as const)
      : allowedRaw
          .split(',')
          .map((c) => c.trim().toUpperCase())
          .filter(Boolean);
  if (
    allowedCountries !== '*' &&
    (allowedCountries.length === 0 || allowedCountries.some((c) => !country.test(c)))
  ) {
    problems.push(
      `PHONE_ALLOWED_COUNTRIES must be * or comma-separated ISO 3166 countries such as US,GB (got "${allowedRaw}")`,
    );
  }
  const smsProvider = v.SMS_PROVIDER as 'dev-outbox' | 'twilio';
  let twilio: Config['sms']['twilio'];
  if (smsProvider === 'twilio') {
    const missing = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER'].filter(
      (k) => !v[k],
    );
    for (const k of missing) problems.push(`${k} is required when SMS_PROVIDER=twilio`);
    twilio = {
      accountSid: String(v.TWILIO_ACCOUNT_SID ?? ''),
      authToken: String(v.TWILIO_AUTH_TOKEN ?? ''),
      fromNumber: String(v.TWILIO_FROM_NUMBER ?? ''),
      baseUrl: String(v.TWILIO_API_BASE_URL),
    };
  }

  const encryptionKeys = parseEncryptionKeys(v.ENCRYPTION_KEYS as string | undefined, problems);
  const webauthn = parseRelyingParty(
    {
      publicUrl,
      portalName: String(v.PORTAL_NAME),
      rpId: v.WEBAUTHN_RP_ID as string | undefined,
      origins: v.WEBAUTHN_ORIGINS as string | undefined,
      timeoutSeconds: Number(v.WEBAUTHN_TIMEOUT_SECONDS),
    },
    problems,
  );

  const portals = parsePortals(
    {
      publicUrl,
      cookieDomain: v.COOKIE_DOMAIN as string | undefined,
      returnToOrigins: v.RETURN_TO_ORIGINS as string | undefined,
    },
    problems,
  );

  let policy: Policy = presets['email-first'];
  try {
    policy = resolvePolicy(String(v.PORTCULLIS_POLICY));
    // The development outbox is off in production: texts need the provider, if any can be sent.
    if (mode === 'production' && smsProvider !== 'twilio' && sendsTexts(policy)) {
      problems.push(
        `SMS_PROVIDER=twilio is required in production: the policy "${policy.name}" lets users add a phone (\`phone\` in its factors), whose codes go by text or call. Configure the provider, or a policy without \`phone\` (docs/operations.md).`,
      );
    }
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    problems.push(...err.problems.map((p) => `PORTCULLIS_POLICY: ${p}`));
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    mode,
    host: String(v.HOST),
    port: Number(v.PORT),
    publicUrl,
    portalName: String(v.PORTAL_NAME),
    accountPageTitle: v.ACCOUNT_PAGE_TITLE === undefined ? null : String(v.ACCOUNT_PAGE_TITLE),
    dataDir,
    database,
    secretKey: secretRaw ?? devSecret(dataDir),
    policy,
    selfSignUp: Boolean(v.SELF_SIGN_UP),
    passwordMinLength: Number(v.PASSWORD_MIN_LENGTH),
    sessionIdleMs: Number(v.SESSION_IDLE_MINUTES) * 60_000,
    sessionAbsoluteMs: Number(v.SESSION_ABSOLUTE_HOURS) * 3_600_000,
    emailCodeValidityMs: Number(v.EMAIL_CODE_VALIDITY_SECONDS) * 1000,
    codeResendCooldownMs: Number(v.CODE_RESEND_COOLDOWN_SECONDS) * 1000,
    invitationValidityMs: Number(v.INVITATION_VALIDITY_HOURS) * 3_600_000,
    smtpUrl: v.SMTP_URL as string | undefined,
    mailFrom: String(v.MAIL_FROM),
    trustProxy: Boolean(v.TRUST_PROXY),
    oidcBackchannelPrivateNetworks: Boolean(v.OIDC_BACKCHANNEL_PRIVATE_NETWORKS),
    logLevel: v.LOG_LEVEL as LogLevel,
    accessLog: v.ACCESS_LOG as Config['accessLog'],
    bodyLimitBytes: Number(v.BODY_LIMIT_BYTES),
    phone: { defaultCountry, allowedCountries },
    sms: {
      provider: smsProvider,
      twilio,
      timeoutMs: Number(v.PROVIDER_TIMEOUT_MS),
      codeValidityMs: Number(v.SMS_CODE_VALIDITY_SECONDS) * 1000,
      limits: {
        perNumber: Number(v.SMS_LIMIT_PER_NUMBER),
        perPrefix: Number(v.SMS_LIMIT_PER_PREFIX),
        perIp: Number(v.SMS_LIMIT_PER_IP),
        perAccount: Number(v.SMS_LIMIT_PER_ACCOUNT),
        hourlyBudget: Number(v.SMS_HOURLY_BUDGET),
      },
    },
    redisUrl: v.REDIS_URL as string | undefined,
    databaseTimeoutMs: Number(v.DATABASE_TIMEOUT_MS),
    smtpTimeoutMs: Number(v.SMTP_TIMEOUT_SECONDS) * 1000,
    // A send takes at most three SMTP steps, or two provider calls (one retry), each bounded.
    outboxLeaseMs:
      2 * Math.max(3 * Number(v.SMTP_TIMEOUT_SECONDS) * 1000, 2 * Number(v.PROVIDER_TIMEOUT_MS)),
    portals,
    rateLimits: {
      signInPerMinute: Number(v.RATE_LIMIT_SIGN_IN_PER_MINUTE),
      signUpPerHour: Number(v.RATE_LIMIT_SIGN_UP_PER_HOUR),
      publicPerMinute: Number(v.RATE_LIMIT_PUBLIC_PER_MINUTE),
      tokenPerMinute: Number(v.RATE_LIMIT_TOKEN_PER_MINUTE),
    },
    encryptionKeys,
    webauthn,
  };
}

function parseEncryptionKeys(
  raw: string | undefined,
  problems: string[],
): Config['encryptionKeys'] {
  if (raw === undefined) return 'derived';
  const keys: { id: string; key: Buffer }[] = [];
  for (const part of raw.split(',').map((p) => p.trim())) {
    const m = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/=_-]+)$/.exec(part);
    const key = m ? Buffer.from(m[2]!, 'base64') : undefined;
    if (!m || key?.length !== 32) {
      problems.push(
        'ENCRYPTION_KEYS must be comma-separated id:key pairs, each key 32 bytes in base64 (openssl rand -base64 32)',
      );
      return 'derived';
    }
    if (keys.some((k) => k.id === m[1])) {
      problems.push(`ENCRYPTION_KEYS lists the key id "${m[1]}" twice`);
      return 'derived';
    }
    keys.push({ id: m[1]!, key });
  }
  return keys;
}
