// The portal's public configuration (GET /api/v1/config), loaded once for every page.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api } from './api';
import type { PolicyName, PortalConfig } from './api-types';
import { securityWords, type SecurityWords } from './policy-words';
import { setPortalOrigins } from './return-to';

interface ConfigState {
  config: PortalConfig | null;
  settled: boolean;
}

const ConfigContext = createContext<ConfigState>({ config: null, settled: false });

export function ConfigProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<ConfigState>({ config: null, settled: false });
  useEffect(() => {
    let live = true;
    api.config().then(
      (config) => {
        setPortalOrigins(config.returnToOrigins);
        if (live) setState({ config, settled: true });
      },
      // Pages fall back to neutral defaults; the server still enforces its own rules.
      () => live && setState({ config: null, settled: true }),
    );
    return () => {
      live = false;
    };
  }, []);
  return <ConfigContext.Provider value={state}>{children}</ConfigContext.Provider>;
}

/** The config, or null while it loads (or if it could not be loaded). */
export function useConfig(): PortalConfig | null {
  return useContext(ConfigContext).config;
}

/** The portal's name; undefined while loading, so the header does not flash a default. */
export function usePortalName(): string | undefined {
  const { config, settled } = useContext(ConfigContext);
  return config?.portalName ?? (settled ? 'Portcullis' : undefined);
}

/**
 * The account page's words for `policy` (or the portal's), titled as the portal calls the page
 * (its config's accountPageTitle: ACCOUNT_PAGE_TITLE or the preset's own).
 */
export function useSecurityWords(policy?: PolicyName): SecurityWords {
  const config = useConfig();
  const words = securityWords(policy ?? config?.policy);
  return config?.accountPageTitle ? { ...words, title: config.accountPageTitle } : words;
}

/** Whether the config has loaded (or failed to): pages that depend on it wait for this. */
export function useConfigSettled(): boolean {
  return useContext(ConfigContext).settled;
}
