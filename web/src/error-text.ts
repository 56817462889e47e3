// Turns a failed request into the sentence shown to the user. The server writes user-facing
// messages; this only adds the tries left for a wrong code and when to retry after a 429.
import { ApiError } from './api';
import { formatDuration } from './format';

export function errorText(error: unknown): string {
  if (!(error instanceof ApiError)) {
    return error instanceof Error && error.message
      ? error.message
      : 'Something went wrong. Please try again.';
  }
  const parts = [error.message];
  const attemptsLeft = error.attemptsLeft;
  if (error.code === 'CODE_INVALID' && attemptsLeft !== undefined) {
    const tries = `${attemptsLeft} ${attemptsLeft === 1 ? 'try' : 'tries'} left`;
    if (!error.message.toLowerCase().includes(tries)) parts.push(`You have ${tries}.`);
  }
  const retryAfter = error.retryAfterSeconds;
  // "Please wait 25 seconds before …" already says when.
  if (error.status === 429 && retryAfter !== undefined && !/\bwait \d/i.test(error.message)) {
    parts.push(`You can try again in ${formatDuration(retryAfter)}.`);
  }
  return parts.join(' ');
}

/** Which input an error is about, when the server says so (or the code makes it plain). */
export function errorField(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const details = error.details;
  const named = [details.field, details.path, details.instancePath, details.property].find(
    (value): value is string => typeof value === 'string' && value.length > 0,
  );
  if (named) return named.replace(/^\/+|^body[./]/g, '');
  if (/^PHONE_/.test(error.code)) return 'phone';
  // A landline asked for a text: the number is fine, the channel is not.
  if (error.code === 'CHANNEL_NOT_AVAILABLE') return 'channel';
  if (/PASSWORD/.test(error.code)) return 'password';
  if (/EMAIL/.test(error.code)) return 'email';
  if (/^CODE_/.test(error.code)) return 'code';
  return undefined;
}

/** Whether to mark an input invalid for this error: the named field, or every input for a
 *  rejection of the form as a whole (400/401). Throttling and outages are not the input's fault. */
export function isInvalid(error: unknown, field: string): boolean {
  if (error instanceof InputError) return error.fields.includes(field);
  if (!(error instanceof ApiError)) return false;
  const named = errorField(error);
  if (named !== undefined) return named === field;
  return error.status === 400 || error.status === 401;
}

/** A problem found before sending anything (an empty field), tied to the inputs at fault. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly fields: string[],
  ) {
    super(message);
    this.name = 'InputError';
  }
}
