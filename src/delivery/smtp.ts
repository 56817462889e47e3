/**
 * Email through SMTP (nodemailer). Every step of the conversation is bounded (`timeoutMs`), so a
 * slow server cannot hold a send past the outbox's claim on it.
 */
import nodemailer from 'nodemailer';
import type { Sender } from './sender.js';

export function createSmtpSender(
  url: string,
  from: string,
  timeoutMs: number,
): Sender & { close(): void } {
  const transport = nodemailer.createTransport(url, {
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    channel: 'email',
    provider: 'smtp',
    async send(message) {
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
    },
    close: () => transport.close(),
  };
}
