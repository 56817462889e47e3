/**
 * A software passkey authenticator for tests, built on node:crypto alone (ES256 keys, CBOR by
 * hand, attestation "none"), so the server is checked against an independent implementation of
 * WebAuthn rather than against its own library. Every field a browser would fill in can be set
 * wrong on purpose: the origin in clientDataJSON, the RP ID whose hash starts authenticatorData,
 * the UV and backup flags, the signature counter, the credential id, the challenge. The same
 * builder signs assertions with a key exported from Chromium's virtual authenticator (PKCS#8).
 */
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// CBOR (RFC 8949), the subset WebAuthn needs: integers, byte and text strings, arrays, maps.

type Cbor = number | string | Uint8Array | Cbor[] | Map<number | string, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  const parts = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------

const b64url = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

const FLAG = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

/** What a test may set (or set wrong) in a ceremony's answer. */
export interface CeremonyTweaks {
  /** clientDataJSON.origin (the expected origin by default). */
  origin?: string;
  /** The RP ID hashed into authenticatorData (the options' RP ID by default). */
  rpId?: string;
  /** clientDataJSON.challenge (the options' by default). */
  challenge?: string;
  /** clientDataJSON.type. */
  type?: string;
  /** User verification performed (default true). */
  uv?: boolean;
  /** User presence (default true). */
  up?: boolean;
  /** The counter to report (assertions; default: the credential's next). */
  counter?: number;
}

export interface SoftwareCredential {
  /** base64url */
  id: string;
  privateKey: KeyObject;
  /** base64url user handle the RP gave at registration. */
  userHandle: string;
  rpId: string;
  signCount: number;
  backupEligible: boolean;
  backedUp: boolean;
}

interface CreationOptions {
  challenge: string;
  rp: { id: string };
  user: { id: string };
  excludeCredentials?: { id: string }[];
}

interface RequestOptions {
  challenge: string;
  rpId: string;
  allowCredentials?: { id: string }[];
}

function flags(t: CeremonyTweaks, c: Pick<SoftwareCredential, 'backupEligible' | 'backedUp'>) {
  let f = 0;
  if (t.up ?? true) f |= FLAG.UP;
  if (t.uv ?? true) f |= FLAG.UV;
  if (c.backupEligible) f |= FLAG.BE;
  if (c.backedUp) f |= FLAG.BS;
  return f;
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

/** COSE_Key of an EC2 P-256 public key (alg ES256): what a registration stores. */
export function coseKey(privateKey: KeyObject): Buffer {
  const jwk = privateKey.export({ format: 'jwk' });
  return cbor(
    new Map<number, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]),
  );
}

/**
 * An assertion (navigator.credentials.get's JSON form) signed by `credential`'s key, for the
 * challenge of `options`; the credential's counter moves on unless `tweaks.counter` is given.
 */
export function signAssertion(
  credential: SoftwareCredential,
  options: RequestOptions,
  expectedOrigin: string,
  tweaks: CeremonyTweaks = {},
) {
  const counter = tweaks.counter ?? credential.signCount + 1;
  if (tweaks.counter === undefined) credential.signCount = counter;
  const count = Buffer.alloc(4);
  count.writeUInt32BE(counter, 0);
  const authData = Buffer.concat([
    sha256(tweaks.rpId ?? options.rpId),
    Buffer.from([flags(tweaks, credential)]),
    count,
  ]);
  const cdj = clientData(
    tweaks.type ?? 'webauthn.get',
    tweaks.challenge ?? options.challenge,
    tweaks.origin ?? expectedOrigin,
  );
  const signature = sign('sha256', Buffer.concat([authData, sha256(cdj)]), credential.privateKey);
  return {
    id: credential.id,
    rawId: credential.id,
    type: 'public-key' as const,
    response: {
      clientDataJSON: b64url(cdj),
      authenticatorData: b64url(authData),
      signature: b64url(signature),
      userHandle: credential.userHandle,
    },
    clientExtensionResults: {},
    authenticatorAttachment: 'platform' as const,
  };
}

/** A credential from a key exported by Chromium (WebAuthn.getCredentials: PKCS#8, base64). */
export function importedCredential(input: {
  credentialId: string;
  privateKey: string;
  userHandle: string;
  rpId: string;
  signCount: number;
  backupEligible?: boolean;
  backedUp?: boolean;
}): SoftwareCredential {
  return {
    id: Buffer.from(input.credentialId, 'base64').toString('base64url'),
    privateKey: createPrivateKey({
      key: Buffer.from(input.privateKey, 'base64'),
      format: 'der',
      type: 'pkcs8',
    }),
    userHandle: Buffer.from(input.userHandle, 'base64').toString('base64url'),
    rpId: input.rpId,
    signCount: input.signCount,
    backupEligible: input.backupEligible ?? false,
    backedUp: input.backedUp ?? false,
  };
}

/**
 * A platform authenticator holding discoverable credentials, like a laptop's. `backupEligible`
 * / `backedUp` make its passkeys look synced (a password manager's).
 */
export class SoftwareAuthenticator {
  readonly credentials: SoftwareCredential[] = [];

  constructor(
    readonly expectedOrigin: string,
    readonly settings: { backupEligible?: boolean; backedUp?: boolean } = {},
  ) {}

  /** navigator.credentials.create's JSON answer; refuses (like a browser) an excluded credential. */
  create(options: CreationOptions, tweaks: CeremonyTweaks & { credentialId?: string } = {}) {
    const excluded = new Set(options.excludeCredentials?.map((c) => c.id));
    if (this.credentials.some((c) => c.rpId === options.rp.id && excluded.has(c.id)))
      throw new Error('InvalidStateError: this authenticator already holds an excluded credential');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = tweaks.credentialId ?? b64url(randomBytes(32));
    const credential: SoftwareCredential = {
      id,
      privateKey,
      userHandle: options.user.id,
      rpId: options.rp.id,
      signCount: 0,
      backupEligible: this.settings.backupEligible ?? false,
      backedUp: this.settings.backedUp ?? false,
    };
    const rawId = Buffer.from(id, 'base64url');
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(rawId.length, 0);
    const authData = Buffer.concat([
      sha256(tweaks.rpId ?? options.rp.id),
      Buffer.from([flags(tweaks, credential) | FLAG.AT]),
      Buffer.alloc(4), // signCount 0
      Buffer.alloc(16), // AAGUID: none
      idLength,
      rawId,
      coseKey(privateKey),
    ]);
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const cdj = clientData(
      tweaks.type ?? 'webauthn.create',
      tweaks.challenge ?? options.challenge,
      tweaks.origin ?? this.expectedOrigin,
    );
    this.credentials.push(credential);
    return {
      credential,
      response: {
        id,
        rawId: id,
        type: 'public-key' as const,
        response: {
          clientDataJSON: b64url(cdj),
          attestationObject: b64url(attestationObject),
          transports: ['internal', 'hybrid'],
        },
        clientExtensionResults: { credProps: { rk: true } },
        authenticatorAttachment: 'platform' as const,
      },
    };
  }

  /**
   * navigator.credentials.get's JSON answer with the first credential allowed (or, for a
   * password-less ceremony with no allow list, the first one for the RP ID).
   */
  get(options: RequestOptions, tweaks: CeremonyTweaks & { credential?: SoftwareCredential } = {}) {
    const allowed = options.allowCredentials?.map((c) => c.id);
    const credential =
      tweaks.credential ??
      this.credentials.find(
        (c) => c.rpId === options.rpId && (!allowed?.length || allowed.includes(c.id)),
      );
    if (!credential) throw new Error('NotAllowedError: no credential for this request');
    return signAssertion(credential, options, this.expectedOrigin, tweaks);
  }
}
