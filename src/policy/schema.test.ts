import { describe, expect, it } from 'vitest';
import { presets } from './presets.js';
import { overrideFromDocument, policyFromDocument, PolicyError, resolvePolicy } from './schema.js';

const files: Record<string, string> = {
  '/etc/portcullis/policy.json': JSON.stringify({
    extends: 'strong-mfa',
    name: 'North Clinic',
    enforcement: { date: '2027-01-04T00:00:00.000Z', before: 'remind', after: 'block' },
    recoveryCode: { required: true, digits: 20 },
  }),
  '/etc/portcullis/broken.json': '{ "extends": "strong-mfa", ',
};
const read = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error('ENOENT: no such file');
  return text;
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof PolicyError) return err.problems;
    throw err;
  }
  throw new Error('expected a PolicyError');
}

describe('PORTCULLIS_POLICY: a preset name or a JSON policy document', () => {
  it('gives a preset by name', () => {
    expect(resolvePolicy('sms-required', read)).toBe(presets['sms-required']);
  });

  it('reads a document: its preset with its changes', () => {
    const p = resolvePolicy('/etc/portcullis/policy.json', read);
    expect(p).toEqual({
      ...presets['strong-mfa'],
      name: 'North Clinic',
      preset: 'strong-mfa',
      enforcement: { date: '2027-01-04T00:00:00.000Z', before: 'remind', after: 'block' },
      recoveryCode: { required: true, digits: 20 },
    });
  });

  it('says what is wrong with a document, field by field', () => {
    const problems = problemsOf(() =>
      policyFromDocument({
        extends: 'strong-mfa',
        mfaAtSignIn: 'sometimes',
        codeLength: 4,
        minimum: [[]],
        surprise: true,
      }),
    );
    expect(problems.join('\n')).toMatch(/\/mfaAtSignIn/);
    expect(problems.join('\n')).toMatch(/\/codeLength/);
    expect(problems.join('\n')).toMatch(/\/minimum\/0/);
    expect(problems.join('\n')).toMatch(/surprise|additional/i);
    expect(problemsOf(() => policyFromDocument({ name: 'no base' })).join()).toMatch(/extends/);
  });

  it('names an unknown preset or unreadable file, and a document that is not JSON', () => {
    expect(problemsOf(() => resolvePolicy('strict', read))[0]).toMatch(
      /"strict" is neither a preset \(email-first, strong-mfa, sms-required\) nor a readable file/,
    );
    expect(problemsOf(() => resolvePolicy('/etc/portcullis/broken.json', read))[0]).toMatch(
      /is not valid JSON/,
    );
  });
});

describe("an organisation's override document", () => {
  it('takes any policy field but name and preset, each optional', () => {
    expect(overrideFromDocument({})).toEqual({});
    const o = { emailStepUp: false, minimum: [['passkey']], codeLength: 8 };
    expect(overrideFromDocument(o)).toEqual(o);
  });

  it('names every bad field, and the values a choice allows', () => {
    const problems = problemsOf(() =>
      overrideFromDocument({
        extends: 'email-first',
        name: 'Looser',
        mfaAtSignIn: 'sometimes',
        enforcement: { date: '2025-02-30T00:00:00Z', before: 'block', after: 'block' },
      }),
    ).join('\n');
    expect(problems).toMatch(/\/extends: Unexpected property/);
    expect(problems).toMatch(/\/name: Unexpected property/);
    expect(problems).toMatch(/\/mfaAtSignIn: Expected one of never, when_enrolled, always/);
    expect(
      problemsOf(() =>
        overrideFromDocument({ enforcement: { date: 'soon', before: 'block', after: 'block' } }),
      ),
    ).toEqual([
      '/enforcement/date: Expected an ISO 8601 date and time with its offset (2025-03-07T00:00:00Z), or null',
    ]);
  });
});
