/**
 * Logger options (S25): structured pino logs where secrets can never appear. Headers and bodies
 * are not logged; query strings (which may hold invitation tokens) are cut from logged URLs; any
 * field named like a secret is redacted wherever it appears.
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn, LoggerOptions } from 'pino';

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

/**
 * A request's logger that becomes pino's child (its request id bound, the bindings redacted)
 * only when something is logged: most requests log nothing (the access log of `access-log.ts`
 * skips a successful read), and making the child was 3 % of a session check.
 */
class LazyChildLogger {
  #made: FastifyBaseLogger | undefined;
  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}
  #real(): FastifyBaseLogger {
    return (this.#made ??= this.parent.child(this.bindings, this.options));
  }
  get level(): string {
    return this.#made?.level ?? this.parent.level;
  }
  set level(level: string) {
    this.#real().level = level;
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }
  fatal(...args: Parameters<LogFn>): void {
    this.#real().fatal(...args);
  }
  error(...args: Parameters<LogFn>): void {
    this.#real().error(...args);
  }
  warn(...args: Parameters<LogFn>): void {
    this.#real().warn(...args);
  }
  info(...args: Parameters<LogFn>): void {
    this.#real().info(...args);
  }
  debug(...args: Parameters<LogFn>): void {
    this.#real().debug(...args);
  }
  trace(...args: Parameters<LogFn>): void {
    this.#real().trace(...args);
  }
  silent(...args: Parameters<LogFn>): void {
    this.#real().silent(...args);
  }
}

/** Fastify's `childLoggerFactory`: see `LazyChildLogger`. */
export function lazyChildLogger(
  this: unknown,
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
}
