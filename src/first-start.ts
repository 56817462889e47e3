/** What the first start prints: how to create the first administrator, while there is none. */
import type { Services } from './services.js';

export async function firstStartHint(s: Services): Promise<string | undefined> {
  if (await s.accountRepo.hasAdministrator()) return undefined;
  return [
    'No administrator exists yet. Create the first one with:',
    '  npm run cli -- create-admin --email you@example.com',
    'It prints a one-time setup link (valid for the invitation period) where the administrator sets a password.',
  ].join('\n');
}
