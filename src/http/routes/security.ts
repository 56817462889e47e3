/**
 * The account security page's routes (signed-in context), one module each under `security/`:
 * the summary, step-up with an enrolled factor (S20), the phone (S11, S20, S21), the
 * authenticator app (S12, S13) and the recovery code (S14). Registered here, in this order.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../services.js';
import type { CookiePolicy } from '../session-cookie.js';
import { registerSecurityOverviewRoute } from './security/overview.js';
import { registerPhoneRoutes } from './security/phone.js';
import { registerRecoveryCodeRoutes } from './security/recovery-code.js';
import { registerStepUpRoutes } from './security/step-up.js';
import { registerTotpRoutes } from './security/totp.js';

export function registerSecurityRoutes(
  app: FastifyInstance,
  services: RouteServices,
  cookie: CookiePolicy,
): void {
  registerSecurityOverviewRoute(app, services);
  registerStepUpRoutes(app, services, cookie);
  registerPhoneRoutes(app, services);
  registerTotpRoutes(app, services);
  registerRecoveryCodeRoutes(app, services);
}
