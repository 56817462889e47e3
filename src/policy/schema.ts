/**
 * A policy as a JSON document (`PORTCULLIS_POLICY=/path/to/policy.json`, `docs/policy.md`): it
 * names the preset it starts from (`extends`) and sets any fields it changes. The schema below
 * validates it, shapes the OpenAPI document, and is the reference in `docs/policy.md`.
 */
import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { presets, type Policy, type PolicyName } from './presets.js';
import type { PolicyOverride } from './tighten.js';

/** An ISO 8601 date and time with its offset (`2025-03-07T00:00:00Z`, `2025-03-07T00:00:00-05:00`). */
const ISO_DATE_TIME =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$';

export const Factor = Type.Union(
  [
    Type.Literal('password'),
    Type.Literal('phone'),
    Type.Literal('totp'),
    Type.Literal('passkey'),
    Type.Literal('recovery_code'),
  ],
  { description: 'A factor: password, phone (SMS or voice codes), totp, passkey, recovery_code.' },
);

const Grace = Type.Union(
  [Type.Literal('block'), Type.Literal('remind'), Type.Literal('offer'), Type.Literal('none')],
  {
    description:
      'While the minimum is not met: `block` (sign-in stops until it is), `remind` (asked at every sign-in, with Skip for Now), `offer` (asked until skipped once), `none`.',
  },
);

export const PresetName = Type.Union(
  [Type.Literal('email-first'), Type.Literal('strong-mfa'), Type.Literal('sms-required')],
  { description: 'A policy preset: one of the three seed portals.' },
);

/** Every field of a policy; in a document all but `extends` are optional. */
export const PolicyFields = {
  name: Type.String({ minLength: 1, maxLength: 100, description: 'Shown to administrators.' }),
  factors: Type.Array(Factor, {
    uniqueItems: true,
    description: 'The factors users may enrol and use.',
  }),
  minimum: Type.Array(Type.Array(Factor, { minItems: 1, uniqueItems: true }), {
    description:
      'Alternatives, each a set of factors the user must all hold; one alternative is enough. `[]`: no minimum. Seed 001: `[["passkey"], ["totp", "phone"], ["password", "phone"]]`.',
  }),
  enforcement: Type.Object(
    {
      date: Type.Union([Type.String({ pattern: ISO_DATE_TIME }), Type.Null()], {
        description: 'When the minimum binds (ISO 8601). `null`: `after` applies at once.',
      }),
      before: Grace,
      after: Grace,
    },
    { additionalProperties: false },
  ),
  mfaAtSignIn: Type.Union(
    [Type.Literal('never'), Type.Literal('when_enrolled'), Type.Literal('always')],
    { description: 'When sign-in asks for a second factor.' },
  ),
  emailCodeFallback: Type.Boolean({
    description:
      'Whether a code sent to the email may stand in for the second factor (never AAL2).',
  }),
  signInAgainAfterPhoneEnrolment: Type.Boolean({
    description: 'Seed 002: after registering a phone at sign-in, the user signs in again.',
  }),
  emailStepUp: Type.Boolean({
    description: 'Whether a code sent to the email may vouch for a change (step-up).',
  }),
  codeLength: Type.Integer({ minimum: 6, maximum: 10, description: 'Digits in one-time codes.' }),
  stepUpWindowMs: Type.Integer({
    minimum: 30_000,
    maximum: 3_600_000,
    description: 'How long a step-up lasts, in milliseconds (default 300000: 5 minutes).',
  }),
  recoveryCode: Type.Object(
    {
      required: Type.Boolean({ description: 'Every user must save a recovery code.' }),
      digits: Type.Integer({
        minimum: 12,
        maximum: 40,
        description: "Digits of a recovery code (20 carry NIST SP 800-63B-4's 64 bits).",
      }),
    },
    { additionalProperties: false },
  ),
  codeValiditySeconds: Type.Object(
    {
      email: Type.Union([Type.Integer({ minimum: 30, maximum: 600 }), Type.Null()]),
      phone: Type.Union([Type.Integer({ minimum: 30, maximum: 600 }), Type.Null()]),
    },
    {
      additionalProperties: false,
      description:
        'How long a sent code is valid, in seconds, by email and by phone; `null`: the deployment setting (EMAIL_CODE_VALIDITY_SECONDS, SMS_CODE_VALIDITY_SECONDS), which is also the longest allowed. Seed 000: phone 60.',
    },
  ),
  sessionLimits: Type.Object(
    {
      idleMinutes: Type.Union([Type.Integer({ minimum: 1, maximum: 1440 }), Type.Null()]),
      absoluteHours: Type.Union([Type.Integer({ minimum: 1, maximum: 720 }), Type.Null()]),
    },
    {
      additionalProperties: false,
      description:
        'Session limits; `null`: the deployment setting (SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS), which is also the longest allowed.',
    },
  ),
  passwordReset: Type.Array(Type.Union([Type.Literal('email'), Type.Literal('recovery_code')]), {
    uniqueItems: true,
    description:
      'How a forgotten password may be reset: `email` (a code to the account email), `recovery_code` (the recovery code, then the app or phone). `[]`: only an administrator can help.',
  }),
  mfaExemption: Type.Object(
    {
      allowed: Type.Boolean({
        description: 'Whether an administrator may turn MFA off for a user for a while.',
      }),
      maxHours: Type.Integer({
        minimum: 1,
        maximum: 720,
        description: 'The longest such an exemption may last, in hours.',
      }),
    },
    {
      additionalProperties: false,
      description:
        'A temporary MFA exemption an administrator gives (seed 002); it ends by itself. Seed 001 (`strong-mfa`) allows none.',
    },
  ),
  adminPhoneUpdate: Type.Boolean({
    description:
      "Whether an administrator may enter a user's new phone number (it replaces the old one once its owner enters the code sent to it).",
  }),
  adminFactorReset: Type.Array(Factor, {
    uniqueItems: true,
    description:
      'The factors an administrator may remove for a user (who adds one again at the next sign-in). `strong-mfa`: not the recovery code.',
  }),
};

export const PolicyDocument = Type.Composite(
  [Type.Object({ extends: PresetName }), Type.Partial(Type.Object(PolicyFields))],
  { additionalProperties: false, $id: 'PolicyDocument' },
);
export type PolicyDocument = Static<typeof PolicyDocument>;

/**
 * What an organisation may write: any field of a policy but its name and preset, each optional;
 * the deployment's policy is tightened by it (`tighten.ts`), so no value can loosen it.
 */
export const PolicyOverrideDocument = Type.Partial(
  Type.Object(
    Object.fromEntries(Object.entries(PolicyFields).filter(([key]) => key !== 'name')) as Omit<
      typeof PolicyFields,
      'name'
    >,
  ),
  {
    additionalProperties: false,
    $id: 'PolicyOverrideDocument',
    description:
      "An organisation's override: any policy field but `name` (and no `extends`). The stricter of the deployment's value and this one applies to the organisation's members.",
  },
);
export type PolicyOverrideDocument = Static<typeof PolicyOverrideDocument>;

/** A policy as it applies (every field set), for answers. */
export const PolicySchema = Type.Object(
  { ...PolicyFields, preset: PresetName },
  { $id: 'Policy', description: 'A policy as it applies, every field set.' },
);

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`The policy is not valid: ${problems.join('; ')}`);
    this.name = 'PolicyError';
  }
}

const ISO_EXAMPLE = 'an ISO 8601 date and time with its offset (2025-03-07T00:00:00Z), or null';

/** Each problem with a document as `/path: what is wrong`, naming the values a choice allows. */
function problemsOf(schema: TSchema, doc: unknown): string[] {
  return [...Value.Errors(schema, doc)].slice(0, 10).map((e) => {
    const options = (e.schema as { anyOf?: { const?: unknown; pattern?: string }[] }).anyOf;
    let message = e.message;
    if (options?.every((o) => typeof o.const === 'string'))
      message = `Expected one of ${options.map((o) => o.const as string).join(', ')}`;
    else if (options?.some((o) => o.pattern === ISO_DATE_TIME)) message = `Expected ${ISO_EXAMPLE}`;
    return `${e.path || '/'}: ${message}`;
  });
}

/** A date that matches the pattern but is not one (2025-02-30…). */
function checkDate(date: string | null | undefined): void {
  if (date && Number.isNaN(Date.parse(date)))
    throw new PolicyError([`/enforcement/date: Expected ${ISO_EXAMPLE}`]);
}

/** A validated override document → the override; a PolicyError names every bad field. */
export function overrideFromDocument(doc: unknown): PolicyOverride {
  if (!Value.Check(PolicyOverrideDocument, doc))
    throw new PolicyError(problemsOf(PolicyOverrideDocument, doc));
  const override = doc as PolicyOverrideDocument;
  checkDate(override.enforcement?.date);
  return override;
}

/** A validated document → the policy it describes (its preset with its changes). */
export function policyFromDocument(doc: unknown): Policy {
  if (!Value.Check(PolicyDocument, doc)) throw new PolicyError(problemsOf(PolicyDocument, doc));
  const { extends: base, ...changes } = doc as PolicyDocument;
  const policy: Policy = { ...presets[base], ...changes, preset: base };
  checkDate(changes.enforcement?.date);
  return policy;
}

/** `PORTCULLIS_POLICY`: a preset name, or the path of a JSON policy document. */
export function resolvePolicy(
  value: string,
  read = (path: string) => readFileSync(path, 'utf8'),
): Policy {
  if (Object.hasOwn(presets, value)) return presets[value as PolicyName];
  let text: string;
  try {
    text = read(value);
  } catch (err) {
    throw new PolicyError([
      `"${value}" is neither a preset (email-first, strong-mfa, sms-required) nor a readable file (${(err as Error).message})`,
    ]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new PolicyError([`${value} is not valid JSON: ${(err as Error).message}`]);
  }
  return policyFromDocument(doc);
}
