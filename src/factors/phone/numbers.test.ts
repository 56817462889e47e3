/**
 * Phone numbers (S11): typed nationally or internationally, stored in E.164; extensions,
 * costly or unreachable kinds of number, refused countries and non-numbers are refused with
 * their own codes; landlines get calls only.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors/app-error.js';
import type { ErrorCode } from '../../errors/codes.js';
import { canReceive, maskPhone, parsePhone, phonePrefix, type PhoneRules } from './numbers.js';

const gb: PhoneRules = { defaultCountry: 'GB', allowedCountries: ['GB', 'US', 'CA'] };
const us: PhoneRules = { defaultCountry: 'US', allowedCountries: ['US', 'CA', 'GB'] };

function refusal(input: string, rules: PhoneRules): AppError {
  try {
    parsePhone(input, rules);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error(`expected "${input}" to be refused`);
}

function expectRefused(input: string, rules: PhoneRules, code: ErrorCode): void {
  expect(refusal(input, rules).code, input).toBe(code);
}

describe('parsePhone', () => {
  it('reads a UK mobile typed nationally with the default country GB', () => {
    expect(parsePhone('07546 123456', gb)).toEqual({
      e164: '+447546123456',
      country: 'GB',
      kind: 'mobile',
      channels: ['sms', 'voice'],
    });
  });

  it('reads an international number whatever the default country', () => {
    expect(parsePhone('+447546123456', us).e164).toBe('+447546123456');
    expect(parsePhone('+44 (0) 7546-123.456', us).e164).toBe('+447546123456');
    expect(parsePhone('0044 7546 123456', gb).e164).toBe('+447546123456');
  });

  it('reads a US number typed nationally, in any usual punctuation, as a mobile', () => {
    for (const typed of ['(212) 555-0100', '212.555.0100', '212 555 0100', ' 2125550100 ']) {
      expect(parsePhone(typed, us), typed).toEqual({
        e164: '+12125550100',
        country: 'US',
        kind: 'mobile',
        channels: ['sms', 'voice'],
      });
    }
  });

  it('folds full-width digits into ASCII', () => {
    expect(parsePhone('＋４４７５４６１２３４５６', us).e164).toBe('+447546123456');
  });

  it('gives a UK landline calls only', () => {
    const phone = parsePhone('020 7946 0018', gb);
    expect(phone).toEqual({
      e164: '+442079460018',
      country: 'GB',
      kind: 'landline',
      channels: ['voice'],
    });
  });

  it('refuses any extension', () => {
    for (const typed of [
      '+1 212 555 0100 ext. 12',
      '+1 212 555 0100 x12',
      '+1 212-555-0100 extension 12',
      '+12125550100;ext=12',
      '+1 212 555 0100 ; ext=12',
      '+1 212 555 0100 #12',
      '020 7946 0018 ext 4',
    ]) {
      expectRefused(typed, us, 'PHONE_EXTENSION_NOT_ALLOWED');
    }
  });

  it('refuses premium-rate and shared-cost numbers', () => {
    expectRefused('+449098790000', gb, 'PHONE_TYPE_NOT_SUPPORTED'); // UK 09: premium rate
    expectRefused('0845 123 4567', gb, 'PHONE_TYPE_NOT_SUPPORTED'); // UK 084x
    expectRefused('+1 900 234 5678', us, 'PHONE_TYPE_NOT_SUPPORTED'); // US 900
  });

  it('refuses toll-free numbers', () => {
    expectRefused('0800 123 4567', gb, 'PHONE_TYPE_NOT_SUPPORTED');
    expectRefused('1-800-234-5678', us, 'PHONE_TYPE_NOT_SUPPORTED');
    expectRefused('+800 1234 5678', us, 'PHONE_TYPE_NOT_SUPPORTED'); // international freephone
  });

  it('refuses VoIP, pager, personal and UAN numbers', () => {
    expectRefused('056 1234 5678', gb, 'PHONE_TYPE_NOT_SUPPORTED'); // VoIP
    expectRefused('07640 123456', gb, 'PHONE_TYPE_NOT_SUPPORTED'); // pager
    expectRefused('070 1234 5678', gb, 'PHONE_TYPE_NOT_SUPPORTED'); // personal number
    expectRefused('0300 123 4567', gb, 'PHONE_TYPE_NOT_SUPPORTED'); // UAN
  });

  it('refuses a country that is not allowed, naming it', () => {
    const err = refusal('+33 6 12 34 56 78', gb);
    expect(err.code).toBe('PHONE_COUNTRY_NOT_ALLOWED');
    expect(err.message).toBe('Numbers from France (FR) are not accepted here.');
    expect(err.details).toEqual({ country: 'FR' });
    expect(parsePhone('+33 6 12 34 56 78', { ...gb, allowedCountries: '*' }).country).toBe('FR');
  });

  it('refuses what is not a phone number', () => {
    for (const typed of [
      '',
      '   ',
      'garbage',
      '123',
      '+44 7546',
      '1-800-FLOWERS',
      'call me on +44 7546 123456',
      '+1 212 555 0100 12',
      '7'.repeat(200),
    ]) {
      expectRefused(typed, gb, 'PHONE_INVALID');
    }
  });

  it('ignores a default country it does not know, still reading international numbers', () => {
    const rules: PhoneRules = { defaultCountry: 'ZZ', allowedCountries: '*' };
    expect(parsePhone('+447546123456', rules).e164).toBe('+447546123456');
    expectRefused('07546 123456', rules, 'PHONE_INVALID');
  });
});

describe('canReceive', () => {
  it('sends texts to mobiles only and calls to both', () => {
    expect(canReceive('mobile', 'sms')).toBe(true);
    expect(canReceive('mobile', 'voice')).toBe(true);
    expect(canReceive('landline', 'sms')).toBe(false);
    expect(canReceive('landline', 'voice')).toBe(true);
  });
});

describe('maskPhone', () => {
  it('shows only the last three digits', () => {
    expect(maskPhone('+447546123456')).toBe('•••• ••• 456');
    expect(maskPhone('+12125550100')).toBe('•••• ••• 100');
    expect(maskPhone('+447546123456')).not.toMatch(/7546|44/);
  });
});

describe('phonePrefix', () => {
  it('drops the last four digits', () => {
    expect(phonePrefix('+447546123456')).toBe('+44754612');
    expect(phonePrefix('+12125550100')).toBe('+1212555');
    expect(phonePrefix('+12125550199')).toBe(phonePrefix('+12125550100'));
  });
});
