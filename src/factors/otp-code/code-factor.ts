/**
 * A factor whose proof is a code sent to the user (by text, call or email): starting sends the
 * code over the method's channel, bound to the flow's step, after the cooldown (S10); verifying
 * checks it once, counted against the account (S5). Which address it goes to is the method's.
 */
import type { AuditLog } from '../../audit/audit.js';
import type { Clock } from '../../clock.js';
import type { Throttle } from '../../accounts/throttle.js';
import { AppError } from '../../errors/app-error.js';
import type { Account } from '../../store/schema.js';
import type { AccountFactors } from '../account-factors.js';
import { checkCode } from '../counted-check.js';
import { amrAt, codeOf, type Factor, type MethodDescriptor } from '../factor.js';
import type { Challenges, CodeChannel, CodeTarget } from './challenge.js';
import type { CodeService } from './codes.js';

export interface CodeFactorDeps {
  clock: Clock;
  codes: CodeService;
  challenges: Challenges;
  throttle: Throttle;
  audit: AuditLog;
}

export interface CodeMethod extends MethodDescriptor {
  id: CodeChannel;
  /** Where the code goes, or undefined when the account has nowhere for it. */
  target(account: Account, factors: AccountFactors): CodeTarget | undefined;
  /** The masked address shown on the page. */
  masked(account: Account, factors: AccountFactors): string | null;
  /** The RFC 8176 `amr` value of a passed code. */
  amr: string;
  /** Runs after a right code (the phone records its last use). */
  passed?: (account: Account, at: number) => Promise<void>;
}

export function createCodeFactor(deps: CodeFactorDeps, method: CodeMethod): Factor {
  const targetOf = (account: Account, factors: AccountFactors): CodeTarget => {
    const target = method.target(account, factors);
    if (!target) throw new AppError('METHOD_NOT_AVAILABLE');
    return target;
  };
  return {
    method,

    async assertMayStart({ account, factors, binding, pace }) {
      await deps.challenges.assertMaySend({
        binding,
        target: targetOf(account, factors),
        ...(pace ? { pace } : {}),
      });
    },

    async start({ account, factors, binding, origin, pace, channels, length, auditPurpose }) {
      await deps.challenges.send({
        binding,
        target: targetOf(account, factors),
        ...(pace ? { pace } : {}),
        accountId: account.id,
        ip: origin.ip,
        alternatives: [...channels],
        ...(length === undefined ? {} : { length }),
      });
      await deps.audit.record({
        action: 'code.sent',
        actorId: account.id,
        targetId: account.id,
        origin,
        details: { channel: method.id, purpose: auditPurpose ?? binding.purpose },
      });
      return {};
    },

    async verify({ account, binding, answer, origin, onFailure }) {
      await checkCode(deps, {
        binding,
        code: codeOf(answer),
        accountId: account.id,
        origin,
        ...(onFailure ? { onFailure } : {}),
      });
      const at = deps.clock.now();
      await method.passed?.(account, at);
      return { method: method.id, at, amr: amrAt(method.amr, at) };
    },

    destination: (account, factors) => method.masked(account, factors),
  };
}
