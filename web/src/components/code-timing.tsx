import type { CodeChallenge } from '../api-types';
import { formatClock, formatDuration } from '../format';

interface CodeTimingProps {
  id: string;
  code: CodeChallenge;
  /** When the code stops working, on this device's clock. */
  expiresAt: number;
  now: number;
  /** The server already said the code is used up (expired, or too many wrong tries). */
  ended: 'expired' | 'exhausted' | null;
  /** Leave out "Codes will be valid for …" when the text above the field already says it. */
  validityShown?: boolean;
}

/** "Codes will be valid for 10 minutes." plus a countdown to this code's expiry. */
export function CodeTiming({ id, code, expiresAt, now, ended, validityShown }: CodeTimingProps) {
  const remaining = expiresAt - now;
  let status: string;
  if (ended === 'exhausted') status = 'This code can no longer be used. Ask for a new one below.';
  else if (ended === 'expired' || remaining <= 0)
    status = 'This code has expired. Ask for a new one below.';
  else status = `This code expires in ${formatClock(remaining)}.`;
  return (
    <p id={id} className="hint">
      {validityShown ? null : `Codes will be valid for ${formatDuration(code.validForSeconds)}. `}
      <span className="countdown">{status}</span>
    </p>
  );
}

interface ResendCodeProps {
  /** Milliseconds until the server allows another code. */
  wait: number;
  busy: boolean;
  sending: boolean;
  onResend: () => void;
  /** The question before the button: "Didn't get it?" by default. */
  prompt?: string;
  /** Advice once a new code may be asked for (by default: check the spam folder). */
  tip?: string;
}

/** "Resend code", disabled with a countdown until the cooldown has passed. */
export function ResendCode({
  wait,
  busy,
  sending,
  onResend,
  prompt = "Didn't get it?",
  tip = 'Check your spam folder, or ask for a new code.',
}: ResendCodeProps) {
  return (
    <div className="resend">
      <p id="resend-hint" className="hint">
        {wait > 0
          ? `${prompt} You can ask for a new code in ${formatClock(wait)}.`
          : [prompt, tip].filter(Boolean).join(' ')}
      </p>
      <button
        type="button"
        className="button button-secondary"
        onClick={onResend}
        disabled={busy || wait > 0}
        aria-describedby="resend-hint"
      >
        {sending ? 'Sending…' : 'Resend code'}
      </button>
    </div>
  );
}
