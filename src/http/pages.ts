/**
 * Serves the built hosted pages (web/dist). Hashed assets are cached for a year; every page
 * route answers with index.html and the client router takes over. Unknown API paths get the JSON
 * NOT_FOUND error instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { sendError } from './error-handler.js';

export const pageRoutes = [
  '/',
  '/sign-in',
  '/sign-in/verify-email',
  '/sign-in/phone',
  '/sign-in/code',
  '/sign-in/mfa',
  '/sign-up',
  '/forgot-password',
  '/accept-invitation',
  '/account',
  '/account/sessions',
  '/account/security',
  '/dev/outbox',
];

/** `web/dist` of the package this file belongs to (from src/ or from the compiled dist/src/). */
export function defaultWebDist(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'web', 'dist');
    dir = dirname(dir);
  }
  return resolve('web/dist');
}

export async function registerPages(app: FastifyInstance, webDist: string): Promise<void> {
  const indexFile = join(webDist, 'index.html');
  const built = existsSync(indexFile);
  if (built) {
    await app.register(fastifyStatic, {
      root: join(webDist, 'assets'),
      prefix: '/assets/',
      immutable: true,
      maxAge: '365d',
      index: false,
    });
  } else {
    app.log.warn(`Hosted pages are not built (${indexFile} is missing): run npm run build:web`);
  }
  const html = built
    ? readFileSync(indexFile, 'utf8')
    : '<!doctype html><title>Portcullis</title><p>The hosted pages are not built. Run <code>npm run build:web</code>.</p>';
  for (const url of pageRoutes) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html),
    );
  }
  app.setNotFoundHandler(async (_request, reply) => sendError(reply, new AppError('NOT_FOUND')));
}
