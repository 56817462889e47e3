import { describe, expect, it } from 'vitest';
import { ciProblems } from './ci.js';

describe('what a CI run must have', () => {
  it('fails a CI run without PostgreSQL or Redis instead of skipping their suites', () => {
    expect(ciProblems({ CI: 'true' })).toEqual([
      expect.stringContaining('TEST_DATABASE_URL is not set'),
      expect.stringContaining('TEST_REDIS_URL is not set'),
    ]);
    expect(ciProblems({ CI: 'true', TEST_DATABASE_URL: 'postgres://x' })).toHaveLength(1);
    expect(
      ciProblems({ CI: 'true', TEST_DATABASE_URL: 'postgres://x', TEST_REDIS_URL: 'redis://y' }),
    ).toEqual([]);
  });

  it('lets a developer run without them (the suites say they are skipped)', () => {
    expect(ciProblems({})).toEqual([]);
  });
});
