/**
 * Issue 12: a route answers only the error codes its schema declares (`errors(...)`, which the
 * OpenAPI document and the pages' generated types carry). In the test configuration
 * (`strictErrors`) an undeclared code answers 500 `UNDECLARED_ERROR`, logged with its route, so a
 * test that reaches it fails; in production the error answers as it always has.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { build } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { AppError } from '../../src/errors/app-error.js';
import { declaredCodes } from '../../src/http/declared-errors.js';
import { errors } from '../../src/http/schemas.js';
import { testConfig } from '../helpers/config.js';
import { buildApp, CSRF, type TestApp } from './support.js';

/** `GET /api/v1/config` declares no code of its own: a policy refused there is undeclared. */
function refusePolicy(t: TestApp) {
  vi.spyOn(t.app.services.policies, 'deployment').mockRejectedValueOnce(
    new AppError('POLICY_INVALID'),
  );
  return t.app.inject({ method: 'GET', url: '/api/v1/config' });
}

describe('the codes a route declares', () => {
  it('are the codes its errors() lists, and those every route may answer', () => {
    const codes = declaredCodes({ 200: {}, ...errors('FLOW_NOT_FOUND', 'CODE_INVALID') });
    for (const code of ['FLOW_NOT_FOUND', 'CODE_INVALID', 'VALIDATION_FAILED', 'CSRF_CHECK_FAILED'])
      expect(codes.has(code)).toBe(true);
    for (const code of ['TOO_MANY_REQUESTS', 'INTERNAL_ERROR', 'DATABASE_UNAVAILABLE', 'NOT_FOUND'])
      expect(codes.has(code)).toBe(true);
    expect(codes.has('SESSION_NOT_FOUND')).toBe(false);
    expect(codes.has('UNAUTHENTICATED')).toBe(false);
  });

  it('are only the implicit ones for a route without response schemas', () => {
    const codes = declaredCodes(undefined);
    expect(codes.has('INTERNAL_ERROR')).toBe(true);
    expect(codes.has('POLICY_INVALID')).toBe(false);
  });
});

describe('in the test configuration (strictErrors)', () => {
  const lines: string[] = [];
  let t: TestApp;
  beforeAll(async () => {
    t = await buildApp(
      { LOG_LEVEL: 'error' },
      { logStream: { write: (line: string) => void lines.push(line) } },
    );
  });
  afterAll(() => t?.app.close());

  it('answers 500 UNDECLARED_ERROR for a code the route does not declare, and logs it', async () => {
    const res = await refusePolicy(t);
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: {
        code: 'UNDECLARED_ERROR',
        message: 'Something went wrong on our side. Try again.',
        details: { route: 'GET /api/v1/config', code: 'POLICY_INVALID' },
      },
    });
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; err?: unknown });
    expect(JSON.stringify(logged.at(-1))).toContain(
      'GET /api/v1/config answered POLICY_INVALID, which its schema does not declare',
    );
  });

  it('lets a declared code through as it is', async () => {
    // DELETE /api/v1/sessions/{id} declares UNAUTHENTICATED (the signed-in context's guard).
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/sessions/some-id',
      headers: CSRF,
    });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('UNAUTHENTICATED');
  });

  it('lets the codes every route may answer through: a request the schema refuses', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sign-in',
      headers: { ...CSRF, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'a@example.com' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_FAILED');
  });

  it('does not check the not-found answer of an unknown address', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/no-such-route' });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
  });
});

describe('without strictErrors (production)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // The flag as loadConfig leaves it: unset.
    const { strictErrors, ...config } = testConfig();
    expect(strictErrors).toBe(true);
    const clock = new FakeClock();
    t = { app: await build({ config, clock }), clock };
  });
  afterAll(() => t?.app.close());

  it('answers an undeclared code as it is: users are never refused by the check', async () => {
    const res = await refusePolicy(t);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('POLICY_INVALID');
  });
});
