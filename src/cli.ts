/**
 * Command line: `npm run cli -- <command>`.
 *   create-admin --email <address>   one-time setup link for an administrator
 *   invite --email <address> [--role user|admin]   invitation link (also emailed)
 *   org-admin --org <id|name> --email <address>   make a member their organisation's administrator
 *   client add --name <n> --kind confidential|public --redirect-uri <uri>…   an OpenID Connect client
 *   keys rotate                      new OpenID Connect signing keys (published now, signing in an hour)
 *   reencrypt                        re-seal authenticator secrets under the current key
 *   policy show [--email <address>]  the deployment's policy (or one account's) as it applies now
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/load.js';
import { systemClock } from './clock.js';
import { AppError } from './errors/app-error.js';
import { reencryptSecrets } from './factors/totp/reencrypt.js';
import { addClient, clientAddOptions, clientAddUsage } from './cli/client-add.js';
import { signingKeysOf } from './oidc/provider.js';
import { createServices, type Services } from './services.js';
import { openStore } from './store/dialect.js';
import { migrateToLatest } from './store/migrate.js';

const usage = `Usage: npm run cli -- <command> [options]

Commands:
  create-admin --email <address>                 Create the first (or another) administrator: prints a one-time setup link.
  invite --email <address> [--role user|admin]   Invite someone: prints the link and emails it.
  org-admin --org <id or name> --email <address>  Make a member of an organisation its administrator.
${clientAddUsage}
  keys rotate                                    New OpenID Connect signing keys: published at once, signing
                                                 an hour later; the old ones stay published a day after.
  reencrypt                                      Re-encrypt authenticator-app secrets under the first key in
                                                 ENCRYPTION_KEYS (after adding a new key first; then drop the old one).
  policy show [--email <address>]                The deployment's policy as it applies now and where it comes from
                                                 (PORTCULLIS_POLICY or the admin API); with --email, that account's
                                                 (its organisation's override applied).
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(usage);
    return command ? 0 : 64;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      role: { type: 'string' },
      org: { type: 'string' },
      ...clientAddOptions,
    },
    strict: true,
    allowPositionals: command === 'policy' || command === 'client' || command === 'keys',
  });
  const config = loadConfig();
  const store = openStore(config.database);
  await migrateToLatest(store);
  const services = createServices(config, store, systemClock);
  try {
    if (command === 'reencrypt') {
      const { resealed, current } = await reencryptSecrets(services);
      console.log(
        `Re-encrypted ${resealed} authenticator secret${resealed === 1 ? '' : 's'} under key "${current}". Every secret is now under it.`,
      );
      return 0;
    }
    if (command === 'policy') {
      if (positionals[0] !== 'show') {
        console.error(`Usage: npm run cli -- policy show [--email <address>]`);
        return 64;
      }
      return await showPolicy(services, values.email);
    }
    if (command === 'org-admin') return await makeOrgAdmin(services, values.org, values.email);
    if (command === 'keys') {
      if (positionals[0] !== 'rotate') {
        console.error('Usage: npm run cli -- keys rotate');
        return 64;
      }
      const keys = signingKeysOf({ db: store.db, box: services.box, clock: systemClock });
      await keys.ensure();
      for (const key of await keys.rotate())
        console.log(
          `New ${key.alg} key ${key.kid}: published now, signs from ${new Date(key.signsFrom).toISOString()}.`,
        );
      console.log('Every running server publishes it within a minute, without a restart.');
      return 0;
    }
    if (command === 'client') {
      if (positionals[0] !== 'add') {
        console.error('Usage: npm run cli -- client add --name … --kind … --redirect-uri …');
        return 64;
      }
      return await addClient(services, values);
    }
    if (command !== 'create-admin' && command !== 'invite') {
      console.error(`Unknown command "${command}".\n\n${usage}`);
      return 64;
    }
    if (!values.email) {
      console.error(`${command} needs --email <address>.`);
      return 64;
    }
    const role = command === 'create-admin' ? 'admin' : (values.role ?? 'user');
    if (role !== 'user' && role !== 'admin') {
      console.error('--role must be user or admin.');
      return 64;
    }
    const inv = await services.accounts.invite({
      email: values.email,
      role,
      invitedBy: null,
      send: command === 'invite',
    });
    console.log(
      `${role === 'admin' ? 'Administrator' : 'User'} invitation for ${values.email} (valid until ${new Date(inv.expiresAt).toISOString()}):`,
    );
    console.log(inv.link);
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      console.error(err.message);
      return 65;
    }
    throw err;
  } finally {
    await services.close();
  }
}

/** `org-admin`: the account, a member of the organisation named, becomes its administrator. */
async function makeOrgAdmin(
  services: Services,
  org: string | undefined,
  email: string | undefined,
): Promise<number> {
  if (!org || !email) {
    console.error('Usage: npm run cli -- org-admin --org <id or name> --email <address>');
    return 64;
  }
  const organisation = (await services.policyAdmin.organisations()).find(
    (o) => o.id === org || o.name === org,
  );
  if (!organisation) {
    console.error(`There is no organisation with the id or name "${org}".`);
    return 65;
  }
  const account = await services.accounts.findByEmail(email);
  if (!account || account.organisation_id !== organisation.id) {
    console.error(
      `${email} is not a member of "${organisation.name}": add them first (POST /api/v1/admin/organisations/${organisation.id}/members).`,
    );
    return 65;
  }
  await services.adminUsers.factorActions.setRole(
    {
      actor: null,
      target: account,
      reason: 'command line',
      origin: { ip: null, userAgent: 'cli' },
    },
    'org_admin',
  );
  console.log(`${account.email} is now an administrator of "${organisation.name}".`);
  return 0;
}

/** `policy show`: the policy as JSON, with where it comes from. */
async function showPolicy(services: Services, email: string | undefined): Promise<number> {
  const view = await services.policyAdmin.deployment();
  const from =
    view.source === 'administrator'
      ? `set through the admin API${view.updatedBy ? ` by ${view.updatedBy.email}` : ''}${view.updatedAt ? ` at ${new Date(view.updatedAt).toISOString()}` : ''}`
      : 'PORTCULLIS_POLICY';
  if (!email) {
    console.log(`The deployment's policy (${from}):`);
    console.log(JSON.stringify(view.policy, null, 2));
    return 0;
  }
  const account = await services.accounts.findByEmail(email);
  if (!account) {
    console.error(`There is no account with the email address ${email}.`);
    return 65;
  }
  const org = account.organisation_id
    ? await services.policyAdmin.organisation(account.organisation_id)
    : undefined;
  console.log(
    `The policy of ${account.email}: the deployment's (${from})` +
      (org ? `, tightened by the organisation "${org.organisation.name}":` : ':'),
  );
  console.log(JSON.stringify(await services.policies.forAccount(account.id), null, 2));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  },
);
