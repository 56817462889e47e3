/**
 * The pages' generated API types (web/src/api-schema.d.ts) are the ones the OpenAPI document makes
 * now, and the document names each route's error codes from the registry and each shared schema
 * once, under `components.schemas`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../src/errors/codes.js';
import { sharedSchemas } from '../src/http/schemas.js';
import { apiTypesFile, openApiDocument, renderApiTypes } from '../scripts/api-types.js';

interface ErrorAnswer {
  content?: {
    'application/json'?: {
      schema?: { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } };
    };
  };
}

const document = await openApiDocument();

describe('the API types of the pages', () => {
  it('web/src/api-schema.d.ts is what the OpenAPI document makes (run npm run api:types)', async () => {
    const committed = readFileSync(apiTypesFile, 'utf8').split('\n');
    const made = (await renderApiTypes(document)).split('\n');
    const lines = Array.from({ length: Math.max(made.length, committed.length) }, (_, i) => i);
    const first = lines.find((i) => made[i] !== committed[i]);
    const staleFrom = first === undefined ? null : { line: first + 1, expected: made[first] };
    expect(staleFrom, 'web/src/api-schema.d.ts is stale: run npm run api:types').toBeNull();
  });

  it('names every registered code, and each error answer lists only codes of its status', () => {
    const schemas = document.components?.schemas as Record<string, { enum?: string[] }>;
    expect(schemas.ErrorCode?.enum).toEqual(Object.keys(errorCodes));
    const answers = Object.values(document.paths ?? {}).flatMap((item) =>
      Object.values(item as Record<string, { responses?: Record<string, ErrorAnswer> }>).flatMap(
        (operation) => Object.entries(operation.responses ?? {}),
      ),
    );
    const errorAnswers = answers.filter(([status]) => Number(status) >= 400);
    expect(errorAnswers.length).toBeGreaterThan(100);
    for (const [status, answer] of errorAnswers) {
      const codes =
        answer.content?.['application/json']?.schema?.properties?.error?.properties?.code?.enum;
      expect(codes?.length, `a ${status} answer lists its codes`).toBeGreaterThan(0);
      for (const code of codes ?? [])
        expect(errorCodes[code as keyof typeof errorCodes].status, code).toBe(Number(status));
    }
  });

  it('names each shared schema once in components, and every reference resolves there', () => {
    const schemas = document.components?.schemas ?? {};
    for (const { $id } of sharedSchemas) expect(schemas, `$id ${$id}`).toHaveProperty([$id!]);
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.length).toBeGreaterThan(100);
    for (const ref of new Set(refs)) {
      const name = /^"\$ref":"#\/components\/schemas\/([^"]+)"$/.exec(ref)?.[1];
      expect(name && name in schemas, ref).toBe(true);
    }
  });
});
