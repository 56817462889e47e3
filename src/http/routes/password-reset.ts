/**
 * Forgotten password ("Forgot your password?"): public routes, answering the same for addresses
 * with and without an account (S6). A finished reset never sets a session cookie (S22). One
 * module each under `password-reset/`: starting, proving who resets, finishing; in this order.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteServices } from '../../services.js';
import { registerResetFinishRoutes } from './password-reset/finish.js';
import { registerResetProofRoutes } from './password-reset/proof.js';
import { registerResetStartRoutes } from './password-reset/start.js';

export function registerPasswordResetRoutes(app: FastifyInstance, services: RouteServices): void {
  registerResetStartRoutes(app, services);
  registerResetProofRoutes(app, services);
  registerResetFinishRoutes(app, services);
}
