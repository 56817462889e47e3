/**
 * Loads `oidc-provider` with its start-up warning routed to our log. Version 9 prints
 * "Unsupported runtime. Use Node.js v22.x LTS" to the console on Node 20, which it runs on (see
 * docs/operations.md): an operator reading the console should not take it for a fault, so it is
 * logged once at info level with what it means, and nothing else printed is touched.
 */
import type * as OidcModule from 'oidc-provider';

let loaded: Promise<typeof OidcModule> | undefined;

export function loadOidcProvider(log: {
  info(obj: object, msg: string): void;
}): Promise<typeof OidcModule> {
  loaded ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      const text = String(args[0] ?? '');
      if (text.includes('oidc-provider WARNING: Unsupported runtime'))
        log.info(
          { node: process.version },
          'oidc-provider 9 asks for Node 22 or later; it runs and is tested on this Node 20',
        );
      else warn(...args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return loaded;
}
