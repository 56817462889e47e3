/**
 * The layout's rules, read from the imports themselves (issue 12): factors and accounts import
 * nothing from flows (a flow uses factors, never the other way round), and no module reaches
 * itself again through the imports that run (`import type` erases at build and is left out).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

const files = sources('src');

/** The modules `file` imports at run time (relative specifiers, `import type` left out). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/^import (?!type )[^;]*?from '(\.[^']+)';/gms)].map(
    (m) => m[1]!,
  );
  return specifiers.map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** Every relative import, types included. */
function allImports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/from '(\.[^']+)'/g)].map((m) =>
    normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'),
  );
}

describe('the layout', () => {
  it('has factors and accounts import nothing from flows', () => {
    const offending = files
      .filter((f) => f.startsWith('src/factors/') || f.startsWith('src/accounts/'))
      .flatMap((f) =>
        allImports(f)
          .filter((i) => i.startsWith('src/flows/'))
          .map((i) => `${f} → ${i}`),
      );
    expect(offending).toEqual([]);
  });

  it('has flows add a factor only through the enrolment registry, never its own modules', () => {
    // A factor's enrolment (`enrolment.ts`), its add and confirm (`enrol.ts`, `register.ts`) are
    // reached through `factors/enrolments.ts`: a new factor needs nothing in src/flows/.
    const own = /^src\/factors\/[^/]+\/(enrolment|enrol|register)\.ts$/;
    const offending = files
      .filter((f) => f.startsWith('src/flows/'))
      .flatMap((f) =>
        allImports(f)
          .filter((i) => own.test(i))
          .map((i) => `${f} → ${i}`),
      );
    expect(offending).toEqual([]);
  });

  it('has no import cycle among the modules that run', () => {
    const graph = new Map(files.map((f) => [f, runtimeImports(f)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push(
          [...path.slice(path.indexOf(file)), file].map((p) => relative('src', p)).join(' → '),
        );
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
