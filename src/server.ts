/**
 * Starts Portcullis: load and validate configuration, build the app, listen. On SIGTERM/SIGINT:
 * stop accepting connections, let in-flight requests finish, close the database, exit.
 */
import { build } from './app.js';
import { ConfigError, loadConfig } from './config/load.js';
import { firstStartHint } from './first-start.js';
import { purgeExpired } from './ops/maintenance.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const app = await build({ config });
  await app.listen({ host: config.host, port: config.port });
  const hint = await firstStartHint(app.services);
  if (hint) console.log(hint);
  console.log(
    `Portcullis is listening on ${config.publicUrl.origin} (${config.database.kind}, policy ${config.policy.name})`,
  );

  const housekeeping = setInterval(() => {
    purgeExpired(app.services.store.db, Date.now(), config.sessionIdleMs).then(
      (counts) => app.log.debug({ counts }, 'purged expired rows'),
      (err: unknown) => app.log.error({ err }, 'housekeeping failed'),
    );
  }, 10 * 60_000);
  housekeeping.unref();

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    clearInterval(housekeeping);
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      app.log.error('in-flight requests did not finish in 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error('Portcullis failed to start:', err);
  process.exit(1);
});
