// The policy's minimum at sign-in (seed 001: "you're required to have 1 of the following verified
// on your account"): the ways as a table, their names and actions, "Choose another way" under
// each step of the way chosen, and "Skip for Now" while the policy allows it.
import { api } from '../api';
import type { FactorKind, MinimumView, MinimumWay } from '../api-types';
import { flowStore, type ActiveFlow } from '../flow-store';
import { formatDay } from '../format';
import { useAction } from '../hooks/use-action';
import type { useSignInFlow } from '../hooks/use-sign-in-flow';
import { passkeysSupported } from '../passkey';
import type { AccountState } from '../pages/account';
import { ErrorAlert } from './error-alert';
import { OtherWays } from './other-ways';

/** What a page showing a step of the sign-in flow gets. */
export type FlowStepProps = Omit<ReturnType<typeof useSignInFlow>, 'active'> & {
  active: ActiveFlow;
};

const names: Record<FactorKind, string> = {
  passkey: 'passkey',
  totp: 'Authenticator',
  phone: 'phone number',
  password: 'password',
  recovery_code: 'recovery code',
};

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "Passkey", "Authenticator + phone number", "Password + phone number". */
export function wayLabel(factors: FactorKind[]): string {
  return capitalise(factors.map((f) => names[f]).join(' + '));
}

/** The order sign-in adds factors in (the server's: phone first, then the app, then a passkey). */
const addOrder: FactorKind[] = ['phone', 'totp', 'passkey'];
const addWords: Partial<Record<FactorKind, string>> = {
  phone: 'verify your phone number',
  totp: 'get Authenticator',
  passkey: 'add passkey',
};

/** Seed 001's buttons: "Add passkey", "Verify your phone number and get Authenticator". */
export function wayAction(way: MinimumWay): string {
  const steps = addOrder.filter((f) => way.missing.includes(f)).map((f) => addWords[f]);
  return steps.length > 0 ? capitalise(steps.join(' and ')) : 'Set up';
}

/** Seed 001's own words for its three ways, by their factors in alphabetical order. */
const seedWords: Record<string, { what: string; how: string }> = {
  passkey: {
    what: 'Most secure, fastest and easiest-to-use option that doesn’t require a phone.',
    how: 'This desktop option uses one of the following to identify you: fingerprint, facial recognition, PIN, touch ID or face ID.',
  },
  'phone+totp': {
    what: 'Requires a free smartphone app and a mobile or direct landline number (no extension).',
    how: 'This smartphone app delivers a time-based, one-time passcode to enter to confirm your identity. You’ll receive a one-time code by text or phone call if you’re locked out or need a multifactor authentication method.',
  },
  'password+phone': {
    what: 'Similar to how you sign in to the portal now with your password, but also requires a mobile or direct landline number (no extension).',
    how: 'If you’re locked out or need a multifactor authentication method, you’ll receive a one-time code by text or phone call.',
  },
};

/** Any other combination (a policy of the deployment's own): put together factor by factor. */
const factorWords: Record<FactorKind, { needs: string; how: string }> = {
  passkey: {
    needs: 'a passkey on your device or a security key',
    how: 'Your device identifies you by fingerprint, facial recognition, PIN, Touch ID or Face ID.',
  },
  totp: {
    needs: 'a free smartphone app',
    how: 'The app shows a time-based, one-time passcode to enter to confirm your identity.',
  },
  phone: {
    needs: 'a mobile or direct landline number (no extension)',
    how: 'You receive a one-time code by text or phone call.',
  },
  password: { needs: 'your password', how: 'You sign in with your password, as now.' },
  recovery_code: {
    needs: 'a saved recovery code',
    how: 'The recovery code lets you back in if you lose your other methods.',
  },
};

function describeWay(factors: FactorKind[]): { what: string; how: string } {
  const known = seedWords[[...factors].sort().join('+')];
  if (known) return known;
  return {
    what: `Requires ${factors.map((f) => factorWords[f].needs).join(' and ')}.`,
    how: factors.map((f) => factorWords[f].how).join(' '),
  };
}

const heldWords: Record<FactorKind, string> = {
  passkey: 'Passkey added',
  totp: 'Authenticator set up',
  phone: 'Phone number verified',
  password: 'Password set',
  recovery_code: 'Recovery code saved',
};

/** Why a way cannot be taken here, or null when it can. */
function unavailableReason(way: MinimumWay): string | null {
  if (!way.available) {
    const lacking = way.missing.filter((f) => addWords[f] === undefined).map((f) => names[f]);
    return lacking.length > 0
      ? `Needs a ${lacking.join(' and a ')}, which cannot be set up while signing in.`
      : 'Not available on this portal.';
  }
  if (way.missing.includes('passkey') && !passkeysSupported())
    return 'This browser cannot create passkeys. Use another browser or device, or choose another way.';
  return null;
}

/** Choosing a way (again: a fresh start of it), with the way being started named for progress. */
export function useChooseWay(step: FlowStepProps) {
  const action = useAction<string>();
  function choose(index: number) {
    void action.run(String(index), async () => {
      try {
        step.follow(await api.chooseMinimum(step.active.flow.flow, index));
      } catch (caught) {
        if (!api.chooseMinimum.failedWith(caught, 'FLOW_NOT_FOUND')) throw caught;
        step.loseFlow(caught);
      }
    });
  }
  return { action, choose };
}

/** The ways, seed 001's table: what it is, how it works, and the action that starts it. */
export function WaysTable({
  minimum,
  choice,
}: {
  minimum: MinimumView;
  choice: ReturnType<typeof useChooseWay>;
}) {
  const { action, choose } = choice;
  return (
    <>
      <ErrorAlert id="ways-error" error={action.error} />
      <table className="ways-table">
        <caption className="visually-hidden">Ways to meet the requirement</caption>
        <thead>
          <tr>
            <th scope="col">What is it?</th>
            <th scope="col">How does it work?</th>
            <th scope="col">Action needed</th>
          </tr>
        </thead>
        <tbody>
          {minimum.ways.map((way, index) => {
            const words = describeWay(way.factors);
            const reason = unavailableReason(way);
            const held = way.factors.filter((f) => !way.missing.includes(f));
            const reasonId = `way-${index}-reason`;
            return (
              <tr key={way.factors.join('+')}>
                <th scope="row">{wayLabel(way.factors)}</th>
                <td>
                  <p>{words.what}</p>
                  <p className="hint">{words.how}</p>
                </td>
                <td>
                  {held.length > 0 ? (
                    <ul className="plain-list way-held">
                      {held.map((f) => (
                        <li key={f}>
                          <span aria-hidden="true">✓ </span>
                          {heldWords[f]}
                        </li>
                      ))}
                    </ul>
                  ) : null}
                  <button
                    type="button"
                    className="button button-primary"
                    onClick={() => choose(index)}
                    disabled={action.busy || reason !== null}
                    aria-describedby={reason ? reasonId : undefined}
                  >
                    {action.pending === String(index) ? 'Starting…' : wayAction(way)}
                  </button>
                  {reason ? (
                    <p id={reasonId} className="hint">
                      {reason}
                    </p>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/** Under a step of the way chosen: the other ways that can be taken here, when there are any. */
export function ChooseAnotherWay({ step }: { step: FlowStepProps }) {
  const choice = useChooseWay(step);
  const minimum = step.active.flow.minimum;
  if (!minimum || minimum.ways.length < 2) return null;
  const others = minimum.ways
    .map((way, index) => ({ way, key: String(index) }))
    .filter(({ way, key }) => key !== String(minimum.chosen) && unavailableReason(way) === null)
    .map(({ way, key }) => ({ key, label: wayLabel(way.factors) }));
  return (
    <OtherWays
      id="other-ways"
      title="Choose another way"
      ways={others}
      action={choice.action}
      onChoose={(key) => choice.choose(Number(key))}
    />
  );
}

/**
 * "Skip for Now" while the minimum is not enforced. The account page then says where to set it
 * up later (after any step still owed, like saving the recovery code).
 */
export function SkipForNow({ step }: { step: FlowStepProps }) {
  const skipping = useAction();
  const { flow } = step.active;
  if (!flow.skippable) return null;

  // The date it binds from, while that is still ahead.
  const deadline = flow.minimum?.deadline ?? null;
  const until =
    deadline !== null && Date.parse(deadline) > Date.parse(flow.serverTime ?? '') ? deadline : null;

  function skip() {
    void skipping.run('submit', async () => {
      const after: AccountState = { minimumSkipped: { deadline: until } };
      try {
        step.follow(await api.skipPhone(flow.flow), after);
        flowStore.keepForAccount(after);
      } catch (caught) {
        if (!api.skipPhone.failedWith(caught, 'FLOW_NOT_FOUND')) throw caught;
        step.loseFlow(caught);
      }
    });
  }

  return (
    <div className="skip-for-now">
      <ErrorAlert id="skip-error" error={skipping.error} />
      <button
        type="button"
        className="button button-secondary"
        onClick={skip}
        disabled={skipping.busy}
        aria-describedby={until ? 'skip-hint' : undefined}
      >
        {skipping.busy ? 'Skipping…' : 'Skip for Now'}
      </button>
      {until ? (
        <p id="skip-hint" className="hint">
          You can skip this until {formatDay(until)}.
        </p>
      ) : null}
    </div>
  );
}
