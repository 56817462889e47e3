// Keeps a password reset between steps and across a reload. The token is a secret: memory and
// sessionStorage only, never the URL. The clock offset maps server times to this device's.
import type { ResetFlow } from './api-types';
import { measureOffset } from './flow-store';

const key = 'portcullis.reset-flow';

export interface ActiveReset {
  flow: ResetFlow;
  /** Add to a server timestamp to get this device's time. */
  offsetMs: number;
}

export const resetStore = {
  fresh(flow: ResetFlow): ActiveReset {
    const active = { flow, offsetMs: measureOffset(flow.serverTime, flow.code) };
    try {
      sessionStorage.setItem(key, flow.flow);
    } catch {
      // Storage may be unavailable (private mode); the reset still works until a reload.
    }
    return active;
  },
  savedToken(): string | null {
    try {
      return sessionStorage.getItem(key);
    } catch {
      return null;
    }
  },
  clear(): void {
    try {
      sessionStorage.removeItem(key);
    } catch {
      // Nothing to clear.
    }
  },
};
