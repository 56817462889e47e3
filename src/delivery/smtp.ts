/**
 * Email through SMTP (nodemailer). Bounded timeouts so a slow server cannot hold a request.
 */
import nodemailer from 'nodemailer';
import type { Sender } from './sender.js';

export function createSmtpSender(url: string, from: string): Sender & { close(): void } {
  const transport = nodemailer.createTransport(url, {
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 15_000,
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
