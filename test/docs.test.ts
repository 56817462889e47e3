import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { replaceOptionTable } from '../src/config/docs.js';

describe('documentation', () => {
  it('docs/configuration.md lists exactly the options the code declares (run npm run docs:config)', () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    expect(replaceOptionTable(doc)).toBe(doc);
  });

  it('the README names the test command that .ci/run runs', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');
    expect(readme).toContain('npm test');
    expect(ci).toMatch(/^npm test$/m);
  });
});
