/**
 * Adding an authenticator app, wherever it happens (the account page after a step-up, or sign-in
 * to meet the policy's minimum): a new 160-bit key shown once as a QR code and as text, then
 * saved only when a current code from the app confirms it. The confirming code is spent (it
 * cannot sign in too), a confirmed key replaces any earlier one at once, and the user is told.
 */
import QRCode from 'qrcode';
import type { RequestOrigin } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import { newId } from '../../crypto/random.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { countedCheck, Refused, type CountedCheckDeps } from '../counted-check.js';
import type { Account, TotpFactor } from '../../store/schema.js';
import { changeFactor, type FactorChangedDeps } from '../changed.js';
import type { TotpRepo } from './repo.js';
import { base32Of, matchStep, otpauthUri } from './totp.js';
import { factorAad, wrongTotpCode } from './verifier.js';

/** What the user is shown to add the key to their app. Shown now and never again. */
export interface TotpKeyView {
  /** The key for manual entry (base32 in groups of four). */
  key: string;
  uri: string;
  /** The URI as a QR code, an SVG document. */
  qrSvg: string;
}

export async function totpKeyView(
  secret: Buffer,
  portalName: string,
  email: string,
): Promise<TotpKeyView> {
  const uri = otpauthUri(secret, portalName, email);
  return {
    key: base32Of(secret),
    uri,
    qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }),
  };
}

export interface TotpConfirmDeps extends CountedCheckDeps, FactorChangedDeps {
  clock: Clock;
  box: SecretBox;
  totps: TotpRepo;
}

/** Checks the app's code against the new key (counted, S5) and saves the key. */
export async function confirmTotp(
  d: TotpConfirmDeps,
  account: Pick<Account, 'id' | 'email'>,
  secret: Buffer,
  code: string,
  origin: RequestOrigin,
  /** Claims the enrolment (a versioned write) once the code is right: confirmed once. */
  claim: () => Promise<unknown>,
): Promise<TotpFactor> {
  const now = d.clock.now();
  const step = await countedCheck(
    d,
    { accountId: account.id, purpose: 'confirm_totp', origin },
    async () => matchStep(secret, code, now) ?? new Refused('invalid', wrongTotpCode()),
  );
  const id = newId();
  await changeFactor(
    d,
    account,
    origin,
    async () => {
      await claim();
      return d.totps.save(
        account.id,
        { id, ...d.box.seal(secret, factorAad(id)) },
        step, // the confirming code is spent: it cannot sign in too
        now,
      );
    },
    (previous) =>
      previous
        ? {
            action: 'factor.totp_replaced',
            notice:
              'The authenticator app on your account was replaced. Codes from the old app no longer work.',
          }
        : {
            action: 'factor.totp_added',
            notice: 'An authenticator app was added to your account.',
          },
  );
  const saved = await d.totps.find(account.id);
  if (!saved) throw new Error('authenticator vanished after saving');
  return saved;
}
