/**
 * better-auth beside Portcullis (`bench/peer/`, its own package.json, installed on first use):
 * seeded like Portcullis (the same accounts, one password hash, the first ones with an
 * authenticator secret), started on the server's core, and loaded with the same scenarios —
 * get-session, an email and password sign-in, and the password then the TOTP code.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Secret, TOTP } from 'otpauth';
import type { Requests } from './load.js';
import { emailOf, PASSWORD } from './seed.js';
import { startPinned, type Running } from './server.js';

const PEER = join('bench', 'peer');

export interface PeerSeeded {
  accounts: number;
  /** Accounts with an authenticator: index → the secret as the plugin keeps it. */
  secrets: string[];
  /** Session cookies, for get-session. */
  cookies: string[];
}

export function ensurePeerInstalled(): void {
  if (existsSync(join(PEER, 'node_modules', 'better-auth'))) return;
  console.log('Installing the peer (better-auth, in bench/peer; once)…');
  execFileSync('npm', ['install', '--prefix', PEER, '--no-audit', '--no-fund'], {
    stdio: 'inherit',
  });
}

export async function startPeer(options: {
  port: number;
  accounts: number;
  totp: number;
}): Promise<{ server: Running; seeded: PeerSeeded }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-peer-'));
  const script = join(PEER, 'peer.mjs');
  const counts = [options.accounts, options.totp, 200].map(String);
  const { stdout } = await promisify(execFile)(process.execPath, [script, 'seed', dir, ...counts], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const seeded = {
    accounts: options.accounts,
    ...(JSON.parse(stdout) as Omit<PeerSeeded, 'accounts'>),
  };
  const url = `http://127.0.0.1:${options.port}`;
  const server = await startPinned(
    'better-auth',
    ['node', script, 'serve', dir, String(options.port)],
    {
      env: { PATH: process.env.PATH },
      url,
      ready: `${url}/api/auth/ok`,
    },
  );
  return { server, seeded };
}

const post = (url: string) => ({ 'content-type': 'application/json', origin: url });

export function peerSession(seeded: PeerSeeded): Requests {
  let next = 0;
  return [
    {
      method: 'GET',
      path: '/api/auth/get-session',
      setupRequest: (req) => ({
        ...req,
        headers: { ...req.headers, cookie: seeded.cookies[next++ % seeded.cookies.length]! },
      }),
    },
  ];
}

export function peerSignIn(seeded: PeerSeeded, url: string): Requests {
  const first = seeded.secrets.length;
  const span = seeded.accounts - first;
  let next = 0;
  return [
    {
      method: 'POST',
      path: '/api/auth/sign-in/email',
      headers: post(url),
      setupRequest: (req) => ({
        ...req,
        body: JSON.stringify({ email: emailOf(first + (next++ % span)), password: PASSWORD }),
      }),
    },
  ];
}

/** The password, then the code, with the two-factor cookie the first answer set. */
export function peerTotp(seeded: PeerSeeded, url: string, cursor: { next: number }): Requests {
  type Login = { account?: number; cookie?: string };
  return [
    {
      method: 'POST',
      path: '/api/auth/sign-in/email',
      headers: post(url),
      setupRequest: (req, context: Login) => {
        const i = cursor.next++ % seeded.secrets.length;
        context.account = i;
        return { ...req, body: JSON.stringify({ email: emailOf(i), password: PASSWORD }) };
      },
      onResponse: (_status, _body, context: Login, headers) => {
        const set = (headers as Record<string, string | string[] | undefined>)['set-cookie'];
        const all = Array.isArray(set) ? set : set ? [set] : [];
        context.cookie = all.map((c) => c.split(';')[0]).join('; ');
      },
    },
    {
      method: 'POST',
      path: '/api/auth/two-factor/verify-totp',
      setupRequest: (req, context: Login) => {
        // The plugin keys its HMAC with the secret's UTF-8 bytes.
        const bytes = new TextEncoder().encode(seeded.secrets[context.account!]!);
        const secret = new Secret({ buffer: bytes.buffer as ArrayBuffer });
        const code = TOTP.generate({ secret, digits: 6, period: 30 });
        return {
          ...req,
          headers: { ...post(url), cookie: context.cookie ?? '' },
          body: JSON.stringify({ code }),
        };
      },
    },
  ];
}
