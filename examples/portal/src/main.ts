/**
 * Starts the example portal: `PORTCULLIS_URL` (default http://localhost:3000), `PORTAL_URL`
 * (default http://127.0.0.1:4000, where it listens), `PORTAL_CLIENT_ID` and, for a confidential
 * client, `PORTAL_CLIENT_SECRET`. `npm run example:portal` at the repository's root sets them.
 */
import { createPortal } from './portal.js';

const clientId = process.env.PORTAL_CLIENT_ID;
if (!clientId) {
  process.stderr.write(
    'Set PORTAL_CLIENT_ID (and PORTAL_CLIENT_SECRET for a confidential client).\n',
  );
  process.exit(64);
}
const url = new URL(process.env.PORTAL_URL ?? 'http://127.0.0.1:4000');
const portal = createPortal({
  issuer: new URL(process.env.PORTCULLIS_URL ?? 'http://localhost:3000'),
  clientId,
  ...(process.env.PORTAL_CLIENT_SECRET ? { clientSecret: process.env.PORTAL_CLIENT_SECRET } : {}),
  url: url.origin,
});
portal.listen(Number(url.port || 80), url.hostname, () => {
  process.stdout.write(`The example portal is listening on ${url.origin}\n`);
});
const stop = () => {
  portal.close(() => process.exit(0));
  portal.closeAllConnections();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
