/**
 * Persisted flows (DESIGN "Flows"): the client holds an opaque token, the database holds its
 * keyed hash, the state, and a version. The only write path is a versioned update
 * (`UPDATE … SET version = version + 1 WHERE id = ? AND version = ?`), so two concurrent
 * submits can never both move the same flow. Every kind of flow declares its transition table,
 * and every write goes through it: a move the table does not list or a write to a finished flow
 * is refused (`FLOW_STATE_CONFLICT`), whatever the service asked; a kind with no table is a wiring
 * mistake, refused loudly (an Error: nothing is created or written).
 */
import type { Clock } from '../clock.js';
import type { KeyedHasher } from '../crypto/keyed-hash.js';
import { randomToken } from '../crypto/random.js';
import { AppError } from '../errors/app-error.js';
import type { Db } from './schema.js';

const DOMAIN = 'flow-token';

export interface StoredFlow<S extends string, D> {
  id: string;
  kind: string;
  state: S;
  accountId: string | null;
  data: D;
  version: number;
  createdAt: number;
  expiresAt: number;
}

/** Each state's allowed next states; a state with none is final. Staying is a claim, allowed until final. */
export type TransitionTable<S extends string = string> = Readonly<Record<S, readonly S[]>>;

/** A kind of flow and its table, declared where the flow is. */
export interface FlowKind<S extends string = string> {
  kind: string;
  transitions: TransitionTable<S>;
}

/** Whether the table lets a flow at `from` be written at `to`. */
export function allowedMove<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  const next = table[from] ?? [];
  return next.length > 0 && (to === from || next.includes(to));
}

export interface FlowStore {
  create<S extends string, D>(input: {
    kind: string;
    state: S;
    accountId: string | null;
    data: D;
    ttlMs: number;
  }): Promise<{ token: string; flow: StoredFlow<S, D> }>;
  /** The live flow of that kind for a token, or FLOW_NOT_FOUND (unknown and expired alike). */
  load<S extends string, D>(token: string, kind: string): Promise<StoredFlow<S, D>>;
  /** Versioned write; FLOW_STATE_CONFLICT when someone else moved the flow first. */
  save<S extends string, D>(
    flow: StoredFlow<S, D>,
    next: { state: S; data: D },
  ): Promise<StoredFlow<S, D>>;
}

export function createFlowStore(
  db: Db,
  clock: Clock,
  hasher: KeyedHasher,
  kinds: readonly FlowKind[],
): FlowStore {
  const tables = new Map(kinds.map((k) => [k.kind, k.transitions]));
  const tableOf = (kind: string): TransitionTable => {
    const table = tables.get(kind);
    if (!table) throw new Error(`the flow kind "${kind}" has no transition table`);
    return table;
  };
  return {
    async create({ kind, state, accountId, data, ttlMs }) {
      if (!(state in tableOf(kind))) throw new Error(`"${state}" is not a state of "${kind}"`);
      const token = randomToken();
      const now = clock.now();
      const flow = {
        id: hasher.hash(DOMAIN, token),
        kind,
        state,
        accountId,
        data,
        version: 1,
        createdAt: now,
        expiresAt: now + ttlMs,
      };
      await db
        .insertInto('flows')
        .values({
          id: flow.id,
          kind,
          state,
          account_id: accountId,
          data: JSON.stringify(data),
          version: 1,
          created_at: now,
          expires_at: flow.expiresAt,
        })
        .execute();
      return { token, flow };
    },

    async load(token, kind) {
      const row = await db
        .selectFrom('flows')
        .selectAll()
        .where('id', '=', hasher.hash(DOMAIN, token))
        .where('kind', '=', kind)
        .where('expires_at', '>', clock.now())
        .executeTakeFirst();
      if (!row) throw new AppError('FLOW_NOT_FOUND');
      return {
        id: row.id,
        kind: row.kind,
        state: row.state as never,
        accountId: row.account_id,
        data: JSON.parse(row.data),
        version: row.version,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      };
    },

    async save(flow, next) {
      if (!allowedMove(tableOf(flow.kind), flow.state, next.state))
        throw new AppError('FLOW_STATE_CONFLICT');
      const result = await db
        .updateTable('flows')
        .set({ state: next.state, data: JSON.stringify(next.data), version: flow.version + 1 })
        .where('id', '=', flow.id)
        .where('version', '=', flow.version)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) throw new AppError('FLOW_STATE_CONFLICT');
      return { ...flow, ...next, version: flow.version + 1 };
    },
  };
}

/** A flow started from a signed-in session: pending until done, usable by that session only. */
export type SessionFlowState = 'pending' | 'done';

/** The table of every session flow (step-up, enrolments, email change). */
export const sessionFlowTransitions = {
  pending: ['done'],
  done: [],
} as const satisfies TransitionTable<SessionFlowState>;

export const sessionFlow = (kind: string): FlowKind<SessionFlowState> => ({
  kind,
  transitions: sessionFlowTransitions,
});

/**
 * The pending flow of that kind belonging to `sessionId`; FLOW_NOT_FOUND otherwise, so another
 * session (or user) holding the token learns nothing.
 */
export async function loadSessionFlow<D extends { sessionId: string }>(
  flows: FlowStore,
  token: string,
  kind: string,
  sessionId: string,
): Promise<StoredFlow<SessionFlowState, D>> {
  const flow = await flows.load<SessionFlowState, D>(token, kind);
  if (flow.state !== 'pending' || flow.data.sessionId !== sessionId)
    throw new AppError('FLOW_NOT_FOUND');
  return flow;
}
