// Loaded on demand (dynamic import) so zxcvbn's dictionaries stay out of the main bundle.
// Advisory only: the server decides which passwords it accepts.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export type Score = 0 | 1 | 2 | 3 | 4;

export interface Estimate {
  score: Score;
  warning: string | null;
}

// English text for zxcvbn's warning keys (the language-en package is not bundled).
const warnings: Record<string, string> = {
  straightRow: 'Straight rows of keys on your keyboard are easy to guess.',
  keyPattern: 'Short keyboard patterns are easy to guess.',
  simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
  extendedRepeat: 'Repeated patterns like "abcabcabc" are easy to guess.',
  sequences: 'Common sequences like "abc" are easy to guess.',
  recentYears: 'Recent years are easy to guess.',
  dates: 'Dates are easy to guess.',
  topTen: 'This is one of the most used passwords.',
  topHundred: 'This is a very often used password.',
  common: 'This is a commonly used password.',
  similarToCommon: 'This is similar to a commonly used password.',
  wordByItself: 'Single words are easy to guess.',
  namesByThemselves: 'Single names or surnames are easy to guess.',
  commonNames: 'Common names and surnames are easy to guess.',
  userInputs: 'Avoid your email address and the name of this service.',
  pwned: 'This password has appeared in a data breach.',
};

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...dictionary },
  graphs: adjacencyGraphs,
});

export function estimate(password: string, userInputs: string[]): Estimate {
  const result = zxcvbn.check(password, userInputs);
  const key = result.feedback.warning;
  return { score: result.score as Score, warning: key ? (warnings[key] ?? null) : null };
}
