/** What every step of the password reset's page shares: its card, title and props. */
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { ResetAnswer } from '../../api-types';
import { resetStore, type ActiveReset } from '../../reset-flow-store';

export const title = 'Reset your password';

export interface StepProps {
  active: ActiveReset;
  follow: (answer: ResetAnswer, email?: string) => void;
  loseFlow: (cause: unknown) => void;
}

export function Card({ children }: { children: ReactNode }) {
  return (
    <section className="card" aria-labelledby="reset-title">
      <h1 id="reset-title">{title}</h1>
      {children}
      <p className="card-footer">
        <Link
          to="/sign-in"
          onClick={() => {
            resetStore.clear();
          }}
        >
          Back to sign in
        </Link>
      </p>
    </section>
  );
}

/** A step the server sent without what it needs: nothing to do here but start again. */
export function Broken() {
  return (
    <Card>
      <p role="alert" className="alert alert-error">
        This password reset cannot continue. Start again.
      </p>
    </Card>
  );
}
