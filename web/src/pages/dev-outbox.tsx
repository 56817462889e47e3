import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, isApiError } from '../api';
import type { OutboxMessage } from '../api-types';
import { Field } from '../components/field';
import { errorText } from '../error-text';
import { formatDateTime } from '../format';
import { useAction } from '../hooks/use-action';
import { usePageTitle } from '../hooks/use-page-title';

function newestFirst(messages: OutboxMessage[]): OutboxMessage[] {
  return [...messages].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/** Development only: the messages Portcullis would have sent by email, SMS or voice. */
export function DevOutboxPage() {
  usePageTitle('Development outbox');
  const [recipient, setRecipient] = useState('');
  const [messages, setMessages] = useState<OutboxMessage[] | null>(null);
  const [disabled, setDisabled] = useState(false);
  const { busy, error, run } = useAction();

  const refresh = useCallback(
    (to: string) =>
      run('submit', async () => {
        try {
          setMessages(newestFirst((await api.outbox(to)).messages));
        } catch (caught) {
          if (isApiError(caught) && caught.status === 404) setDisabled(true);
          else throw caught;
        }
      }),
    [run],
  );

  useEffect(() => {
    void refresh('');
  }, [refresh]);

  function submit(event: FormEvent) {
    event.preventDefault();
    void refresh(recipient.trim());
  }

  if (disabled) {
    return (
      <section className="card" aria-labelledby="outbox-title">
        <h1 id="outbox-title">Development outbox</h1>
        <p className="alert alert-info" role="status">
          The development outbox is turned off. It is only available when Portcullis runs outside
          production mode without a real email or SMS provider.
        </p>
      </section>
    );
  }

  return (
    <section className="card card-wide" aria-labelledby="outbox-title">
      <h1 id="outbox-title">Development outbox</h1>
      <p className="alert alert-warning">
        For development only: messages are kept here instead of being sent.
      </p>
      <form className="inline-form" onSubmit={submit} noValidate>
        <Field
          id="recipient"
          label="Recipient"
          type="search"
          hint="An email address or phone number; leave empty for all messages."
          spellCheck={false}
          value={recipient}
          onChange={setRecipient}
        />
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Refreshing…' : 'Refresh'}
        </button>
      </form>
      {error ? (
        <p role="alert" className="alert alert-error">
          {errorText(error)}
        </p>
      ) : null}
      {messages?.length === 0 ? <p role="status">No messages.</p> : null}
      <ol className="outbox" aria-label="Messages, newest first">
        {(messages ?? []).map((message) => (
          <li key={message.id} className="outbox-message">
            <p className="outbox-meta">
              <span className="badge">{message.channel}</span> to <strong>{message.to}</strong>{' '}
              <span className="muted">at {formatDateTime(message.createdAt)}</span>
            </p>
            {message.subject ? <h2 className="outbox-subject">{message.subject}</h2> : null}
            <pre className="outbox-text">{message.text}</pre>
          </li>
        ))}
      </ol>
    </section>
  );
}
