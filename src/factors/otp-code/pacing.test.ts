import { describe, expect, it } from 'vitest';
import { cooldownWait, type PaceHistory } from './pacing.js';

const COOLDOWN = 30_000;
const A = '+14155552671';
const B = '+14155552672';
const textToA = (createdAt: number, channelsUsed = ['sms']): PaceHistory => ({
  live: { flowId: 'f1', channel: 'sms', destination: A, createdAt },
  channelsUsed: new Set(channelsUsed as ('sms' | 'voice' | 'email')[]),
});
const wait = (h: PaceHistory, channel: 'sms' | 'voice' | 'email', to: string, flowId = 'f1') =>
  cooldownWait(h, { flowId, channel, to }, 10_000, COOLDOWN);

describe('cooldownWait: one code per cooldown for a step, whatever the number or channel', () => {
  it('lets the first code go, and any code once the live one is past the cooldown', () => {
    expect(wait({ channelsUsed: new Set() }, 'sms', A)).toBe(0);
    expect(
      cooldownWait(textToA(0), { flowId: 'f1', channel: 'sms', to: B }, 30_000, COOLDOWN),
    ).toBe(0);
  });

  it('makes a resend, another number and another number by call wait out the rest', () => {
    expect(wait(textToA(0), 'sms', A)).toBe(20_000);
    expect(wait(textToA(0), 'sms', B)).toBe(20_000);
    expect(wait(textToA(0), 'voice', B)).toBe(20_000);
  });

  it('lets the first switch to a call, or to email, go at once in the same flow', () => {
    expect(wait(textToA(0), 'voice', A)).toBe(0);
    expect(wait(textToA(0), 'email', 'ann@clinic.org')).toBe(0);
  });

  it('never twice: a channel the flow has used for the step waits', () => {
    expect(wait(textToA(0, ['sms', 'voice']), 'voice', A)).toBe(20_000);
  });

  it('is no switch from another flow: a new start waits', () => {
    expect(wait(textToA(0), 'voice', A, 'f2')).toBe(20_000);
  });
});
