/**
 * One `Sender` per channel. Providers implement it; flows call `Delivery.send` and never know
 * which provider is behind it. Messages carry no secret beyond the one code they exist to send.
 */
export type Channel = 'email' | 'sms' | 'voice';

export interface OutgoingMessage {
  channel: Channel;
  /** Email address, or E.164 phone number. */
  to: string;
  /** Email only. */
  subject?: string;
  text: string;
}

export interface Sender {
  readonly channel: Channel;
  readonly provider: string;
  send(message: OutgoingMessage): Promise<void>;
}

export class DeliveryError extends Error {
  constructor(
    readonly channel: Channel,
    readonly provider: string,
    options?: { cause?: unknown },
  ) {
    super(`Delivery by ${channel} through ${provider} failed`, options);
    this.name = 'DeliveryError';
  }
}

export interface Delivery {
  send(message: OutgoingMessage): Promise<void>;
  providerFor(channel: Channel): string | undefined;
}

export function createDelivery(senders: Sender[]): Delivery {
  const byChannel = new Map(senders.map((s) => [s.channel, s]));
  return {
    async send(message) {
      const sender = byChannel.get(message.channel);
      if (!sender) throw new DeliveryError(message.channel, 'none');
      try {
        await sender.send(message);
      } catch (err) {
        if (err instanceof DeliveryError) throw err;
        throw new DeliveryError(message.channel, sender.provider, { cause: err });
      }
    },
    providerFor: (channel) => byChannel.get(channel)?.provider,
  };
}
