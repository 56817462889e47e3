import { useState } from 'react';
import { errorText } from '../error-text';

/** A change on the security page: first a step-up if none is fresh, then the change itself. */
export interface StepUpTask<K extends string> {
  kind: K;
  stage: 'step-up' | 'ready';
  /** Why the step-up is asked again (the server's STEP_UP_REQUIRED message). */
  reason: string | null;
}

export interface StepUpTasks<K extends string> {
  task: StepUpTask<K> | null;
  /** Starts a change; it replaces any other open on the page (one panel at a time). */
  begin: (kind: K) => void;
  /** The server answered STEP_UP_REQUIRED (the step-up lapsed): ask for it again, then retry. */
  stepUpAgain: (cause: unknown) => void;
  /** The step-up succeeded: go on with the change. */
  verified: (validUntil: string) => void;
  end: () => void;
}

/**
 * The security page's changes, one at a time, each gated by a step-up (S20). A step-up serves
 * every change made within its window, whichever section asked for it.
 */
export function useStepUpTasks<K extends string>(validUntil: string | null): StepUpTasks<K> {
  const [until, setUntil] = useState(() => (validUntil ? Date.parse(validUntil) : 0));
  const [task, setTask] = useState<StepUpTask<K> | null>(null);
  return {
    task,
    begin: (kind) =>
      setTask({ kind, stage: until > Date.now() ? 'ready' : 'step-up', reason: null }),
    stepUpAgain: (cause) => {
      setUntil(0);
      setTask((current) => current && { ...current, stage: 'step-up', reason: errorText(cause) });
    },
    verified: (next) => {
      setUntil(Date.parse(next));
      setTask((current) => current && { ...current, stage: 'ready', reason: null });
    },
    end: () => setTask(null),
  };
}

/**
 * One section's side of the tasks: `begin` clears its last message, `finish` closes the task,
 * reloads the page's data and says what changed.
 */
export function useSectionTask<K extends string>(
  tasks: StepUpTasks<K>,
  reload: () => Promise<void>,
) {
  const [feedback, setFeedback] = useState('');
  return {
    feedback,
    begin(kind: K) {
      setFeedback('');
      tasks.begin(kind);
    },
    async finish(message: string) {
      tasks.end();
      await reload();
      setFeedback(message);
    },
  };
}
