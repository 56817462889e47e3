import { useEffect, useState } from 'react';
import type { Estimate } from '../password-estimator';

type Estimator = (password: string, userInputs: string[]) => Estimate;

let loading: Promise<Estimator> | null = null;
function loadEstimator(): Promise<Estimator> {
  loading ??= import('../password-estimator').then((module) => module.estimate);
  return loading;
}

const labels = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'] as const;

interface PasswordStrengthProps {
  password: string;
  /** Words the password should not lean on: the email address, the portal's name. */
  userInputs: string[];
  minLength: number;
}

/** An advisory strength meter; the server has the final word on which passwords it accepts. */
export function PasswordStrength({ password, userInputs, minLength }: PasswordStrengthProps) {
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const inputs = userInputs.join('\n');

  useEffect(() => {
    let live = true;
    if (!password) {
      setEstimate(null);
      return undefined;
    }
    loadEstimator().then(
      (estimator) => live && setEstimate(estimator(password, inputs.split('\n'))),
      () => live && setEstimate(null),
    );
    return () => {
      live = false;
    };
  }, [password, inputs]);

  if (!password || !estimate) return null;
  const tooShort = [...password].length < minLength;
  const score = tooShort ? Math.min(estimate.score, 1) : estimate.score;
  return (
    <div className="strength" aria-live="polite">
      <div className={`strength-bar strength-${score}`} aria-hidden="true">
        <span />
      </div>
      <p className="strength-text">
        Password strength: <strong>{labels[score]}</strong>
        {tooShort ? ` — use at least ${minLength} characters.` : null}
      </p>
      {estimate.warning && !tooShort ? <p className="strength-text">{estimate.warning}</p> : null}
    </div>
  );
}
