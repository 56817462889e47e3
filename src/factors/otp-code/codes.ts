/**
 * One-time codes for every channel and purpose (S8): CSPRNG digits, stored only as a keyed hash,
 * bound to the flow and purpose that asked for them, at most `maxAttempts` wrong tries, single
 * use (consumed by one guarded UPDATE), and a new code voids the previous one.
 */
import type { Clock } from '../../clock.js';
import type { KeyedHasher } from '../../crypto/keyed-hash.js';
import { newId, randomDigits } from '../../crypto/random.js';
import { isUniqueViolation } from '../../store/dialect.js';
import type { Db } from '../../store/schema.js';
import { CHANGE_FLOW_KINDS, type PaceHistory, type PaceScope } from './pacing.js';

export const MAX_CODE_ATTEMPTS = 5;
const DOMAIN = 'otp-code';

export type CodePurpose =
  | 'verify_email'
  | 'second_factor'
  | 'confirm_phone'
  | 'confirm_pending_phone'
  | 'step_up'
  | 'password_reset';

export interface CodeBinding {
  flowId: string;
  purpose: CodePurpose;
}

export interface IssuedCode {
  code: string;
  createdAt: number;
  expiresAt: number;
}

export type CodeOutcome =
  | { kind: 'verified' }
  | { kind: 'invalid'; attemptsLeft: number }
  | { kind: 'expired' }
  | { kind: 'exhausted' };

export interface ActiveCode {
  createdAt: number;
  expiresAt: number;
  attemptsLeft: number;
}

export interface CodeService {
  issue(
    input: CodeBinding & {
      accountId: string | null;
      channel: 'email' | 'sms' | 'voice';
      destination: string;
      length: number;
      validityMs: number;
    },
  ): Promise<IssuedCode>;
  verify(binding: CodeBinding, code: string): Promise<CodeOutcome>;
  /** Voids the binding's live code (one that could not be delivered, say). */
  revoke(binding: CodeBinding): Promise<void>;
  /** The newest unconsumed code of a binding (for showing validity and tries left). */
  active(binding: CodeBinding): Promise<ActiveCode | undefined>;
  /** What a cooldown scope has sent for a purpose (`pacing.ts`). */
  history(scope: PaceScope, purpose: CodePurpose): Promise<PaceHistory>;
}

export function createCodeService(db: Db, clock: Clock, hasher: KeyedHasher): CodeService {
  const newest = (b: CodeBinding) =>
    db
      .selectFrom('one_time_codes')
      .select(['id', 'code_hash', 'attempts', 'created_at', 'expires_at'])
      .where('flow_id', '=', b.flowId)
      .where('purpose', '=', b.purpose)
      .where('consumed_at', 'is', null)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();

  return {
    async issue(input) {
      const code = randomDigits(input.length);
      // Void the earlier code and insert the new one; the partial unique index on live codes makes
      // a concurrent issue fail here, and the retry then voids the winner's code in turn.
      for (let round = 0; ; round++) {
        const now = clock.now();
        try {
          await db.transaction().execute(async (tx) => {
            await tx
              .updateTable('one_time_codes')
              .set({ consumed_at: now })
              .where('flow_id', '=', input.flowId)
              .where('purpose', '=', input.purpose)
              .where('consumed_at', 'is', null)
              .execute();
            await tx
              .insertInto('one_time_codes')
              .values({
                id: newId(),
                account_id: input.accountId,
                flow_id: input.flowId,
                purpose: input.purpose,
                channel: input.channel,
                destination: input.destination,
                code_hash: hasher.hash(DOMAIN, code),
                attempts: 0,
                created_at: now,
                expires_at: now + input.validityMs,
                consumed_at: null,
              })
              .execute();
          });
          return { code, createdAt: now, expiresAt: now + input.validityMs };
        } catch (err) {
          if (!isUniqueViolation(err) || round >= 4) throw err;
        }
      }
    },

    async verify(binding, code) {
      const now = clock.now();
      const row = await newest(binding);
      if (!row || row.expires_at <= now) return { kind: 'expired' };
      if (row.attempts >= MAX_CODE_ATTEMPTS) return { kind: 'exhausted' };
      if (/^\d{1,12}$/.test(code) && hasher.matches(DOMAIN, code, row.code_hash)) {
        const consumed = await db
          .updateTable('one_time_codes')
          .set({ consumed_at: now })
          .where('id', '=', row.id)
          .where('consumed_at', 'is', null)
          .where('attempts', '<', MAX_CODE_ATTEMPTS)
          .where('expires_at', '>', now)
          .returning('id')
          .executeTakeFirst();
        // Lost a race with a concurrent submit of the same code: it is spent.
        return consumed ? { kind: 'verified' } : { kind: 'expired' };
      }
      const counted = await db
        .updateTable('one_time_codes')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', row.id)
        .where('consumed_at', 'is', null)
        .returning('attempts')
        .executeTakeFirst();
      if (!counted) return { kind: 'expired' };
      const left = MAX_CODE_ATTEMPTS - counted.attempts;
      return left > 0 ? { kind: 'invalid', attemptsLeft: left } : { kind: 'exhausted' };
    },

    async revoke(binding) {
      await db
        .updateTable('one_time_codes')
        .set({ consumed_at: clock.now() })
        .where('flow_id', '=', binding.flowId)
        .where('purpose', '=', binding.purpose)
        .where('consumed_at', 'is', null)
        .execute();
    },

    async history(scope, purpose) {
      let query = db
        .selectFrom('one_time_codes')
        .select(['flow_id', 'channel', 'destination', 'created_at', 'consumed_at'])
        .where('purpose', '=', purpose);
      query =
        'flowId' in scope
          ? query.where('flow_id', '=', scope.flowId)
          : query.where('account_id', '=', scope.accountChanges).where('flow_id', 'in', (eb) =>
              eb
                .selectFrom('flows')
                .select('id')
                .where('account_id', '=', scope.accountChanges)
                .where('kind', 'in', [...CHANGE_FLOW_KINDS]),
            );
      const rows = await query.orderBy('created_at', 'desc').execute();
      const live = rows.find((r) => r.consumed_at === null);
      return {
        ...(live
          ? {
              live: {
                flowId: live.flow_id ?? '',
                channel: live.channel,
                destination: live.destination,
                createdAt: live.created_at,
              },
            }
          : {}),
        channelsUsed: new Set(
          rows.filter((r) => live && r.flow_id === live.flow_id).map((r) => r.channel),
        ),
      };
    },

    async active(binding) {
      const row = await newest(binding);
      if (!row) return undefined;
      return {
        createdAt: row.created_at,
        expiresAt: row.expires_at,
        attemptsLeft: Math.max(0, MAX_CODE_ATTEMPTS - row.attempts),
      };
    },
  };
}
