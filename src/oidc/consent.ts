/**
 * The consent page's two questions (issue 14): what a client that is not the deployment's own
 * asks for, and the user's answer. Both run every check of the interaction again (`decide`), so
 * an answer can never grant more, or at a lower level, than the interaction itself would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Provider } from 'oidc-provider';
import { AppError } from '../errors/app-error.js';
import {
  decide,
  grantResult,
  interactionPath,
  type InteractionDeps,
  type Ready,
} from './interaction.js';

/** What each scope lets the application know, in the consent page's words. */
export const SCOPE_WORDS: Record<string, string> = {
  openid: 'Know that it is you (an identifier of your account, never your email address)',
  email: 'See your email address',
  phone: 'See your confirmed phone number',
  profile: 'See your name',
  organisation: 'See your organisation and your role in it',
  offline_access: 'Stay signed in to it until you sign out or take this back',
};

export interface ConsentView {
  client: { name: string };
  scopes: { scope: string; description: string }[];
}

/** The interaction, when it is waiting for the user's consent (or needs none any more). */
async function pending(
  provider: Provider,
  d: InteractionDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<{ ready: Ready; uid: string }> {
  let details: Awaited<ReturnType<Provider['interactionDetails']>>;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    throw new AppError('OIDC_INTERACTION_NOT_FOUND', { cause: err });
  }
  const decision = await decide(provider, d, req, details);
  if (decision.kind !== 'consent' && decision.kind !== 'grant')
    throw new AppError('OIDC_INTERACTION_MOVED', {
      details: { redirectTo: interactionPath(details.uid) },
    });
  return { ready: decision.ready, uid: details.uid };
}

export async function consentView(
  provider: Provider,
  d: InteractionDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<ConsentView> {
  const { ready } = await pending(provider, d, req, res);
  return {
    client: { name: ready.client.name },
    scopes: ready.scopes.map((scope) => ({ scope, description: SCOPE_WORDS[scope] ?? scope })),
  };
}

/** The user allows or declines: where the browser goes next (back to the application). */
export async function answerConsent(
  provider: Provider,
  d: InteractionDeps,
  req: IncomingMessage,
  res: ServerResponse,
  allow: boolean,
): Promise<string> {
  const { ready } = await pending(provider, d, req, res);
  const result = allow
    ? await grantResult(provider, ready)
    : { error: 'access_denied', error_description: 'The user did not allow this application.' };
  return provider.interactionResult(req, res, result, { mergeWithLastSubmission: false });
}
