/**
 * Work that must not hold up the answer: a message whose sending time would tell an observer
 * something (S6 — a password-reset email goes only to existing accounts, so it is sent after the
 * answer, which then costs the same for every address). Failures are logged, never thrown.
 * `idle()` resolves once everything started so far has finished (shutdown, the dev outbox).
 */
export interface Background {
  run(name: string, task: () => Promise<void>): void;
  idle(): Promise<void>;
}

export function createBackground(log: { warn(obj: object, msg: string): void }): Background {
  const running = new Set<Promise<void>>();
  return {
    run(name, task) {
      const p: Promise<void> = Promise.resolve()
        .then(task)
        .catch((err: unknown) => log.warn({ err, task: name }, 'background task failed'))
        .finally(() => running.delete(p));
      running.add(p);
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
