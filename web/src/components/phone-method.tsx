/**
 * The phone on the security page: seed 000's "Phone Number" with "Change" and "Remove", seed
 * 002's "Multi-factor Authentication" with "Update"; each change after a step-up.
 */
import { api } from '../api';
import type { SectionProps } from '../pages/account-security';
import { formatDate, formatDateTime } from '../format';
import { useSectionTask } from '../hooks/use-step-up-tasks';
import type { SecurityWords } from '../policy-words';
import { ConfirmRemoval } from './confirm-removal';
import { MethodFeedback } from './method-feedback';
import { PhoneEditor } from './phone-editor';
import { StepUpPanel } from './step-up-panel';

export function PhoneMethod({
  security,
  reload,
  tasks,
  words,
}: SectionProps & { words: SecurityWords }) {
  const { phone } = security;
  const smsRequired = security.policy === 'sms-required';
  const task = tasks.task?.kind.startsWith('phone-') ? tasks.task : null;
  const { feedback, begin, finish } = useSectionTask(tasks, reload);

  const heading = smsRequired ? 'Multi-factor Authentication' : 'Phone Number';
  return (
    <div className="method" role="region" aria-labelledby="phone-method-title">
      <h3 id="phone-method-title">{heading}</h3>
      <p className="hint">
        {smsRequired
          ? 'Every login needs a six-digit code sent to this phone number.'
          : 'For more security, verify a phone number to enable SMS authentication.'}
      </p>
      <MethodFeedback message={feedback} />
      {phone ? (
        <dl className="details details-compact">
          <dt>Number</dt>
          <dd className="phone-number">{phone.number}</dd>
          <dt>Receives</dt>
          <dd>{phone.kind === 'mobile' ? 'Text messages and calls' : 'Calls only (landline)'}</dd>
          {phone.verifiedAt ? (
            <>
              <dt>Verified</dt>
              <dd>{formatDate(phone.verifiedAt)}</dd>
            </>
          ) : null}
          {phone.lastUsedAt ? (
            <>
              <dt>Last used</dt>
              <dd>{formatDateTime(phone.lastUsedAt)}</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p className="muted">No phone number yet.</p>
      )}
      {task === null ? (
        <div className="actions actions-tight">
          <button
            type="button"
            className="button button-primary"
            onClick={() => begin('phone-change')}
          >
            {words.change}
          </button>
          {phone && security.phoneRemovable ? (
            <button
              type="button"
              className="button button-secondary"
              onClick={() => begin('phone-remove')}
            >
              Remove
            </button>
          ) : null}
        </div>
      ) : task.stage === 'step-up' ? (
        <StepUpPanel
          methods={security.stepUp.methods}
          reason={task.reason}
          onVerified={tasks.verified}
          onCancel={tasks.end}
        />
      ) : task.kind === 'phone-change' ? (
        <PhoneEditor
          words={words}
          onStepUpRequired={tasks.stepUpAgain}
          onDone={(saved) => void finish(`Your phone number is now ${saved.number}.`)}
          onCancel={tasks.end}
        />
      ) : (
        <ConfirmRemoval
          id="remove-phone"
          title="Remove phone number"
          question={`Remove ${phone?.number ?? 'your phone number'} from your account? Codes will no longer be sent to it.`}
          remove={api.removePhone}
          onStepUpRequired={tasks.stepUpAgain}
          onRemoved={() => void finish('The phone number was removed from your account.')}
          onCancel={tasks.end}
        />
      )}
    </div>
  );
}
