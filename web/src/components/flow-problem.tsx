import { Link } from 'react-router';
import { flowStore } from '../flow-store';

/** A sign-in that cannot go on (expired, or a step these pages do not know): start again. */
export function FlowProblem({ title, message }: { title: string; message: string }) {
  return (
    <section className="card" aria-labelledby="flow-problem-title">
      <h1 id="flow-problem-title">{title}</h1>
      <p role="alert" className="alert alert-error">
        {message}
      </p>
      <p>
        <Link to="/sign-in">Sign in again</Link>
      </p>
    </section>
  );
}

export function LoadingCard() {
  return (
    <section className="card" aria-busy="true">
      <p role="status">Loading…</p>
    </section>
  );
}

/** The way out of a sign-in: a different account. */
export function DifferentAccount() {
  return (
    <p className="card-footer">
      <Link to="/sign-in" onClick={() => flowStore.clear()}>
        Sign in with a different account
      </Link>
    </p>
  );
}
