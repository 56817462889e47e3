/**
 * Shared pieces of the HTTP tests: building an app on a fake clock, signing a user in through
 * the public API (codes read from the development outbox), reading the OpenAPI document and
 * checking the error shape every failure must have.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { build, type BuildOptions } from '../../src/app.js';
import { FakeClock } from '../../src/clock.js';
import { errorCodes } from '../../src/errors/codes.js';
import { testConfig } from '../helpers/config.js';

export const PASSWORD = 'correct horse battery staple';
export const CSRF = { 'x-portcullis-csrf': '1' } as const;
export const JSON_CSRF = { ...CSRF, 'content-type': 'application/json' } as const;

export interface TestApp {
  app: FastifyInstance;
  clock: FakeClock;
}

export async function buildApp(
  env: Record<string, string> = {},
  extra: Omit<BuildOptions, 'config' | 'clock'> = {},
): Promise<TestApp> {
  const clock = new FakeClock();
  const app = await build({ config: testConfig(env), clock, ...extra });
  return { app, clock };
}

export function post(
  app: FastifyInstance,
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...JSON_CSRF, ...headers },
    payload: JSON.stringify(body),
  });
}

/**
 * Enters the email code and, where the policy then offers a phone (seed 000's Two-Factor
 * Authentication page), chooses "Skip for Now": the answer that ends the sign-in.
 */
export async function verifyEmailAndFinish(
  app: FastifyInstance,
  body: { flow: string; code: unknown },
  headers: Record<string, string> = {},
) {
  const verified = await post(app, '/api/v1/sign-in/verify-email', body, headers);
  if (verified.statusCode !== 200) return verified;
  const next = verified.json<{ status: string; flow?: { step: string; skippable: boolean } }>();
  if (next.status === 'continue' && next.flow?.step === 'enrol_phone' && next.flow.skippable) {
    return post(app, '/api/v1/sign-in/skip', { flow: body.flow }, headers);
  }
  return verified;
}

export async function signUp(
  app: FastifyInstance,
  email: string,
  password = PASSWORD,
): Promise<void> {
  const res = await post(app, '/api/v1/sign-up', { email, password });
  if (res.statusCode !== 202) throw new Error(`sign-up answered ${res.statusCode}: ${res.body}`);
}

/** The newest code sent to `to`, read through the development outbox API. */
export async function latestCode(app: FastifyInstance, to: string): Promise<string> {
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/dev/outbox?to=${encodeURIComponent(to)}&limit=1`,
  });
  const messages = res.json<{ messages: { text: string }[] }>().messages;
  const code = messages[0]?.text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`No code has been sent to ${to}: ${res.body}`);
  return code;
}

export interface SessionCookie {
  name: string;
  token: string;
  /** The whole Set-Cookie line. */
  raw: string;
  /** For a `cookie` request header. */
  header: string;
}

export function sessionCookie(res: LightMyRequestResponse): SessionCookie | undefined {
  const lines = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  for (const raw of lines) {
    const m = /^((?:__Host-)?portcullis_session)=([^;]*)/.exec(raw);
    if (m && m[2]) return { name: m[1]!, token: m[2], raw, header: `${m[1]}=${m[2]}` };
  }
  return undefined;
}

export interface SignedIn {
  email: string;
  cookie: SessionCookie;
  /** The codes the flow sent, and its flow token: secrets the tests look for in logs. */
  codes: string[];
  flow: string;
}

/** Sign-up, sign-in, verify the emailed code: a fresh signed-in user. */
export async function signedInUser(
  app: FastifyInstance,
  email: string,
  password = PASSWORD,
): Promise<SignedIn> {
  await signUp(app, email, password);
  const start = await post(app, '/api/v1/sign-in', { email, password });
  if (start.statusCode !== 200)
    throw new Error(`sign-in answered ${start.statusCode}: ${start.body}`);
  const flow = start.json<{ flow: { flow: string } }>().flow.flow;
  const code = await latestCode(app, email);
  const done = await verifyEmailAndFinish(app, { flow, code });
  const cookie = sessionCookie(done);
  if (done.statusCode !== 200 || !cookie)
    throw new Error(`verify-email answered ${done.statusCode}: ${done.body}`);
  return { email, cookie, codes: [code], flow };
}

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  default?: unknown;
  /** OpenAPI 3.0's way of allowing null (`Type.Null()` in a union becomes `{ nullable: true }`). */
  nullable?: boolean;
}

export interface OpenApiParameter {
  in: 'query' | 'path' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

export interface OpenApiRoute {
  method: string;
  /** As the document writes it: `/api/v1/sessions/{id}`. */
  path: string;
  operation: OpenApiOperation;
  bodySchema: JsonSchema | undefined;
  /** `path` with every path parameter replaced by `param`. */
  url(param?: string): string;
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
export const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function openApiDocument(
  app: FastifyInstance,
): Promise<{ openapi: string; paths: Record<string, Record<string, OpenApiOperation>> }> {
  const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`/api/openapi.json answered ${res.statusCode}`);
  return res.json();
}

export async function openApiRoutes(app: FastifyInstance): Promise<OpenApiRoute[]> {
  const doc = await openApiDocument(app);
  const routes: OpenApiRoute[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      routes.push({
        method: method.toUpperCase(),
        path,
        operation,
        bodySchema: operation.requestBody?.content['application/json']?.schema,
        url: (param = 'dummy-id') => path.replace(/\{[^}]+\}/g, encodeURIComponent(param)),
      });
    }
  }
  return routes;
}

/** A body that passes the schema's type checks, to vary one property at a time. */
export function validBody(schema: JsonSchema): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema.properties ?? {}))
    body[name] = validValue(name, prop);
  return body;
}

function validValue(name: string, s: JsonSchema): unknown {
  if (s.anyOf?.[0]) return validValue(name, s.anyOf[0]);
  if (s.enum?.length) return s.enum[0];
  switch (s.type) {
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default: {
      if (/email/i.test(name)) return 'someone@example.com';
      const length = Math.min(Math.max(s.minLength ?? 1, 24), s.maxLength ?? 24);
      return 'x'.repeat(length);
    }
  }
}

/** JSON values of every type but the one(s) the schema allows. */
export function wrongTypeValues(s: JsonSchema): unknown[] {
  const allowed = new Set(
    (s.anyOf ?? [s]).flatMap((x) => [x.type ?? 'string', ...(x.nullable ? ['null'] : [])]),
  );
  const samples: [string, unknown][] = [
    ['string', 'text'],
    ['number', 12345],
    ['integer', 7],
    ['boolean', true],
    ['null', null],
    ['array', ['text']],
    ['object', { nested: 'text' }],
  ];
  return samples
    .filter(
      ([type]) =>
        !allowed.has(type) &&
        !(type === 'integer' && allowed.has('number')) &&
        !(type === 'number' && allowed.has('integer')),
    )
    .map(([, v]) => v);
}

/** Text that must never reach a client: stack frames, file paths, framework internals. */
const LEAK_PATTERNS = [
  /\bat .+:\d+:\d+/,
  /\/work\//,
  /node_modules/,
  /\.ts:\d+/,
  /\bFST_[A-Z_]+/,
  /Error:/,
  /stack/i,
  /SQLITE/i,
  /kysely/i,
];

/**
 * What is wrong with an error answer, as readable sentences (empty when it is right): a 4xx,
 * `{ error: { code, message } }` with a registered code, and nothing internal in the body.
 */
export function errorAnswerProblems(label: string, res: LightMyRequestResponse): string[] {
  const problems: string[] = [];
  if (res.statusCode < 400 || res.statusCode >= 500)
    problems.push(`${label}: answered ${res.statusCode}, expected a 4xx`);
  let body: unknown;
  try {
    body = res.json();
  } catch {
    problems.push(`${label}: body is not JSON: ${res.body.slice(0, 200)}`);
    return problems;
  }
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) {
    problems.push(`${label}: body is not { error: { code, message } }: ${res.body.slice(0, 200)}`);
    return problems;
  }
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || !(code in errorCodes))
    problems.push(`${label}: code ${String(code)} is not in the error registry`);
  if (typeof message !== 'string' || message.length === 0) problems.push(`${label}: no message`);
  if (
    typeof code === 'string' &&
    code in errorCodes &&
    errorCodes[code as keyof typeof errorCodes].status !== res.statusCode
  ) {
    problems.push(
      `${label}: status ${res.statusCode} does not match the registry's ${errorCodes[code as keyof typeof errorCodes].status} for ${code}`,
    );
  }
  for (const pattern of LEAK_PATTERNS) {
    if (pattern.test(res.body))
      problems.push(`${label}: body leaks internals (${pattern}): ${res.body.slice(0, 200)}`);
  }
  return problems;
}

export function errorCode(res: LightMyRequestResponse): string | undefined {
  try {
    return res.json<{ error?: { code?: string } }>().error?.code;
  } catch {
    return undefined;
  }
}

const TABLES = [
  'accounts',
  'invitations',
  'sessions',
  'flows',
  'one_time_codes',
  'failure_counters',
  'outbox_messages',
  'outgoing_messages',
  'audit_events',
] as const;
export type TableName = (typeof TABLES)[number];

/** Every row of every table, in a stable order: compare two of these to see whether state changed. */
export async function snapshot(app: FastifyInstance): Promise<Record<TableName, string[]>> {
  const out = {} as Record<TableName, string[]>;
  await app.services.outbox.flush(); // what earlier answers left to send is sent
  for (const table of TABLES) {
    const rows = await app.services.store.db.selectFrom(table).selectAll().execute();
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}
