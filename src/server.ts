/**
 * Starts Portcullis: load and validate configuration, build the app, listen, send what waits in
 * the outbox (and whatever falls due, every 2 s). On SIGTERM/SIGINT: stop accepting connections,
 * let in-flight requests and sends finish, close the database, exit. A lost database, Redis or
 * mail server never ends the process (S31); a promise rejected with no one to hear it is logged.
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
  process.on('unhandledRejection', (err: unknown) => {
    app.log.error({ err }, 'unhandled rejection (the process goes on)');
  });
  await app.listen({ host: config.host, port: config.port });
  app.services.outbox.start();
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
