/**
 * The access log costs what it must (issue 15): by default (`ACCESS_LOG=security`) a successful
 * read — the session check every portal page makes — writes no line, while every change (its
 * arrival and its answer) and every failure does; `all` logs every request, `off` none. Lines
 * still go through the redacting serializers (no query string, no header).
 */
import { describe, expect, it } from 'vitest';
import { buildApp, PASSWORD, signUp, type TestApp } from './support.js';
import { signedInClient } from '../helpers/client.js';

async function logged(mode: string | undefined) {
  const lines: string[] = [];
  const t: TestApp = await buildApp(
    { LOG_LEVEL: 'info', ...(mode ? { ACCESS_LOG: mode } : {}) },
    { logStream: { write: (line: string) => void lines.push(line) } },
  );
  const user = await signedInClient(t.app, 'reader@clinic.org');
  await signUp(t.app, 'writer@clinic.org');
  lines.length = 0;
  await user.get('/api/v1/session'); // a successful read
  await user.get('/api/v1/session?token=secret-in-query');
  const reads = lines.splice(0);
  await user.post('/api/v1/sign-in', { email: 'writer@clinic.org', password: `${PASSWORD}x` });
  const change = lines.splice(0);
  await t.app.inject({ method: 'GET', url: '/api/v1/session' }); // signed out: 401
  const failure = lines.splice(0);
  await t.app.close();
  const messages = (batch: string[]) =>
    batch.map((l) => JSON.parse(l) as { msg: string; req?: { url: string } });
  return { reads: messages(reads), change: messages(change), failure: messages(failure) };
}

describe('the access log', () => {
  it('by default, logs changes and failures but no successful read', async () => {
    const { reads, change, failure } = await logged(undefined);
    expect(reads).toEqual([]);
    expect(change.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['incoming request', 'request completed']),
    );
    expect(change.find((l) => l.req)?.req?.url).toBe('/api/v1/sign-in');
    expect(failure.map((l) => l.msg)).toEqual(['request completed']);
  });

  it('logs every request with ACCESS_LOG=all, query strings cut', async () => {
    const { reads } = await logged('all');
    expect(reads.filter((l) => l.msg === 'incoming request').map((l) => l.req?.url)).toEqual([
      '/api/v1/session',
      '/api/v1/session?[redacted]',
    ]);
    expect(JSON.stringify(reads)).not.toContain('secret-in-query');
  });

  it('logs no request with ACCESS_LOG=off', async () => {
    const { reads, change, failure } = await logged('off');
    expect([...reads, ...change, ...failure].filter((l) => /request/.test(l.msg))).toEqual([]);
  });
});
