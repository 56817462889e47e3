/**
 * The public routes (no session), one module each under `public/`: the pages' configuration,
 * sign-up and invitations, sign-in and its code steps, and its other steps. Registered here, in
 * this order. `origin` and `signInAnswer` are re-exported for the other route modules.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../services.js';
import type { CookiePolicy } from '../session-cookie.js';
import { registerConfigRoute } from './public/config.js';
import { registerSignInStepRoutes } from './public/sign-in-steps.js';
import { registerSignInRoutes } from './public/sign-in.js';
import { registerSignUpRoutes } from './public/sign-up.js';

export { origin } from './origin.js';
export { signInAnswer } from './sign-in-answer.js';

export function registerPublicRoutes(
  app: FastifyInstance,
  services: RouteServices,
  cookie: CookiePolicy,
): void {
  registerConfigRoute(app, services);
  registerSignUpRoutes(app, services);
  registerSignInRoutes(app, services, cookie);
  registerSignInStepRoutes(app, services, cookie);
}
