// The text file a user downloads to keep their recovery code: it names the portal, the account
// (when this page knows it), the date and the code, and says how the code is used.
import { formatDate } from './format';

export interface RecoveryFile {
  name: string;
  text: string;
}

/** "Spectera Provider Portal" → "spectera-provider-portal". */
export function slug(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return words || 'portcullis';
}

export function recoveryFile(input: {
  portalName: string;
  email?: string | undefined;
  code: string;
  createdAt: string;
}): RecoveryFile {
  const lines = [
    `${input.portalName} — recovery code`,
    '',
    ...(input.email ? [`Account: ${input.email}`] : []),
    `Created: ${formatDate(input.createdAt)}`,
    '',
    `Recovery code: ${input.code}`,
    '',
    `Use this code to sign in to ${input.portalName} if you cannot use your phone or authenticator app.`,
    'It works once; after you use it you will be given a new one.',
    'Keep it somewhere safe and private, away from your password. Getting a new code stops this one working.',
    '',
  ];
  return { name: `${slug(input.portalName)}-recovery-code.txt`, text: lines.join('\r\n') };
}

/** Hands `file` to the browser as a download. */
export function download(file: RecoveryFile): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by the time the click returns; give it a moment before revoking.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
