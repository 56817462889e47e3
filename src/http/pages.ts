/**
 * Serves the built hosted pages (web/dist). Hashed assets are cached for a year; every page
 * route answers with index.html and the client router takes over. An unknown address opened by a
 * browser (a GET whose Accept names `text/html`) answers 404 with index.html too, whose router
 * shows "Page not found": a browser never sees raw JSON. API clients keep the JSON `NOT_FOUND`:
 * everything under `/api` (its own not-found handler, by prefix), and any other request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError } from '../errors/app-error.js';
import { sendError } from './error-handler.js';

export const pageRoutes = [
  '/',
  '/sign-in',
  '/sign-in/verify-email',
  '/sign-in/phone',
  '/sign-in/code',
  '/sign-in/mfa',
  '/sign-in/new-phone',
  '/sign-in/step-up',
  '/sign-in/consent',
  '/sign-up',
  '/forgot-password',
  '/accept-invitation',
  '/account',
  '/account/sessions',
  '/account/security',
  '/admin',
  '/admin/users/:userId',
  '/admin/audit',
  '/admin/applications',
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
  const page = (reply: FastifyReply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  for (const url of pageRoutes) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => page(reply));
  }
  const notFound = (reply: FastifyReply) => sendError(reply, new AppError('NOT_FOUND'));
  await app.register(
    async (api) => {
      api.setNotFoundHandler(async (_request, reply) => notFound(reply));
    },
    { prefix: '/api' },
  );
  app.setNotFoundHandler(async (request, reply) =>
    (request.method === 'GET' || request.method === 'HEAD') && acceptsHtml(request.headers.accept)
      ? page(reply.code(404))
      : notFound(reply),
  );
}

/**
 * Whether an Accept header names HTML: `text/html` or `text/*` with a non-zero quality. `*\/*`
 * alone does not count: an API client (curl, fetch) sends it, and keeps its JSON.
 */
export function acceptsHtml(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    if (type !== 'text/html' && type !== 'text/*') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
