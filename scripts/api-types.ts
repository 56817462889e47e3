/**
 * The pages' API types, generated: the OpenAPI document of an app built in memory (never
 * listening, a development config so the development routes are in it) through openapi-typescript
 * into `web/src/api-schema.d.ts`. `npm run api:types` writes it; test/api-types.test.ts fails while
 * the committed file differs from what this makes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import prettier from 'prettier';
import { build } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';

export const apiTypesFile = fileURLToPath(new URL('../web/src/api-schema.d.ts', import.meta.url));

/** The document /api/openapi.json serves, from an app on an in-memory database. */
export async function openApiDocument(): Promise<OpenAPI3> {
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-api-types-'));
  const app = await build({
    config: loadConfig({
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      DATABASE_URL: 'sqlite::memory:',
      SECRET_KEY: 'api-types-secret-key-api-types-secret-key',
      LOG_LEVEL: 'silent',
    }),
  });
  try {
    await app.ready();
    return app.swagger() as unknown as OpenAPI3;
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The TypeScript of `document`, formatted as the repository formats it. */
export async function renderApiTypes(document: OpenAPI3): Promise<string> {
  const ast = await openapiTS(document, { silent: true, alphabetize: false });
  const header = `${COMMENT_HEADER}// From the OpenAPI document of src/http (run npm run api:types).\n\n`;
  const text = header + astToString(ast);
  const options = await prettier.resolveConfig(apiTypesFile);
  return prettier.format(text, { ...options, filepath: apiTypesFile });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(apiTypesFile, await renderApiTypes(await openApiDocument()));
  console.log('web/src/api-schema.d.ts updated');
}
