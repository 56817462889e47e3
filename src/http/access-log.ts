/**
 * The access log (`ACCESS_LOG`), one place for what a request costs in log lines, as Fastify's
 * log controller (its own "incoming request" and "request completed" lines, through the
 * redacting serializers of `logging.ts`):
 *  - `security` (the default): every change (a method other than GET, HEAD or OPTIONS) when it
 *    arrives and when it is answered, and every answer of 400 or more — failures and changes,
 *    never a line for a successful read such as the session check every portal page makes;
 *  - `all`: every request, arriving and answered;
 *  - `off`: none (the application's own lines — audit, warnings, errors — stay).
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from '../config/load.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const isChange = (request: FastifyRequest) => !READS.has(request.method);

class AccessLog extends LogController {
  constructor(private readonly mode: Config['accessLog']) {
    super({ disableRequestLogging: mode === 'off' });
  }

  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (this.mode === 'all' || isChange(request)) super.incomingRequest(request, reply);
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const failed = Boolean(error) || reply.statusCode >= 400;
    if (this.mode === 'all' || failed || isChange(request))
      super.requestCompleted(error, request, reply);
  }
}

export const accessLog = (mode: Config['accessLog']): LogController => new AccessLog(mode);
