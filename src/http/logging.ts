/**
 * Logger options (S25): structured pino logs where secrets can never appear. Headers and bodies
 * are not logged; query strings (which may hold invitation tokens) are cut from logged URLs; any
 * field named like a secret is redacted wherever it appears.
 */
import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

export const redactedKeys = [
  'password',
  'newPassword',
  'currentPassword',
  'code',
  'token',
  'flow',
  'secret',
  'cookie',
  'authorization',
  'set-cookie',
  'secretKey',
  'smtpUrl',
];

export function loggerOptions(level: string): LoggerOptions {
  const paths = redactedKeys.flatMap((k) => [
    k,
    `*.${k}`,
    `*.*.${k}`,
    `req.headers.${k}`,
    `res.headers["${k}"]`,
  ]);
  return {
    level,
    redact: { paths, censor: '[redacted]' },
    serializers: {
      req(request: FastifyRequest) {
        const url = request.url ?? '';
        const q = url.indexOf('?');
        return {
          method: request.method,
          url: q === -1 ? url : `${url.slice(0, q)}?[redacted]`,
          remoteAddress: request.ip,
        };
      },
    },
  };
}
