// An example number for the phone form, in international format, for the portal's default
// country, before anything is typed (seed 002: "for example +447546XXXXXX"). The UK's is the
// seed's own (the one the server's PHONE_INVALID message gives); others are libphonenumber's
// example mobile numbers. The last six digits are X: an example, not a number to dial.
import { getExampleNumber, type CountryCode } from 'libphonenumber-js/min';
import examples from 'libphonenumber-js/mobile/examples';

const ukExample = '+447546123456';

/** "+447546XXXXXX" for GB; null when the country is unknown to libphonenumber. */
export function phoneExample(country: string | null): string | null {
  const code = (country ?? 'GB').toUpperCase();
  const number = code === 'GB' ? ukExample : exampleFor(code);
  return number ? `${number.slice(0, -6)}XXXXXX` : null;
}

function exampleFor(country: string): string | null {
  try {
    return getExampleNumber(country as CountryCode, examples)?.number ?? null;
  } catch {
    return null;
  }
}
