import { z } from 'zod';
import { makePrompt } from '../format.js';
import { rngFor, type Rng } from '../rng.js';
import {
  ALPHABETS,
  alphabetSchema,
  defineFamily,
  exactScore,
  INT_SHAPE,
  type AlphabetName,
} from './common.js';

const lengthSchema = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt);

function randomString(rng: Rng, length: number, alphabet: string): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[rng.int(0, alphabet.length - 1)];
  return s;
}

const TOKEN_SHAPE = /^[0-9a-z]+$/;
const alphaTag = (a: AlphabetName) => a[0];

function stringFamily(name: 'rev' | 'sort' | 'copy', description: string, transform: (s: string) => string) {
  return defineFamily({
    name,
    description,
    schema: z.object({ length: lengthSchema(12, 4), alphabet: alphabetSchema.default('letters') }).strict(),
    levels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((length) => ({ length })),
    generate(config, seed, index) {
      const rng = rngFor(name, config.length, config.alphabet, seed, index);
      const s = randomString(rng, config.length, ALPHABETS[config.alphabet]);
      return {
        id: `${name}-${alphaTag(config.alphabet)}${config.length}-s${seed}-i${index}`,
        prompt: makePrompt(`${name} ${s}`),
        answer: transform(s),
        meta: { family: name, difficulty: config.length, length: config.length, alphabet: config.alphabet },
      };
    },
    score: (p, c) => exactScore(p, c, TOKEN_SHAPE),
  });
}

/** "rev abcd=" → "dcba". */
export const revFamily = stringFamily(
  'rev',
  'reverse a string of `length` characters (difficulty = length)',
  (s) => [...s].reverse().join(''),
);
/** "sort dbca=" → "abcd" (ascending character code). */
export const sortFamily = stringFamily(
  'sort',
  'sort the characters of a string ascending (difficulty = length)',
  (s) => [...s].sort().join(''),
);
/** "copy xyz=" → "xyz". */
export const copyFamily = stringFamily(
  'copy',
  'copy a string of `length` characters (difficulty = length)',
  (s) => s,
);

/** "count a abacab=" → "3": occurrences of a letter in a string over the first `alphabetSize` letters. */
export const countFamily = defineFamily({
  name: 'count',
  description: 'count occurrences of a letter in a string of `length` letters (difficulty = length)',
  schema: z
    .object({ length: lengthSchema(20, 6), alphabetSize: z.number().int().min(2).max(26).default(3) })
    .strict(),
  levels: [2, 4, 6, 8, 10, 12, 16, 20].map((length) => ({ length })),
  generate(config, seed, index) {
    const rng = rngFor('count', config.length, config.alphabetSize, seed, index);
    const alphabet = ALPHABETS.letters.slice(0, config.alphabetSize);
    const s = randomString(rng, config.length, alphabet);
    const target = alphabet[rng.int(0, alphabet.length - 1)];
    let n = 0;
    for (const ch of s) if (ch === target) n++;
    return {
      id: `count-l${config.length}a${config.alphabetSize}-s${seed}-i${index}`,
      prompt: makePrompt(`count ${target} ${s}`),
      answer: String(n),
      meta: {
        family: 'count',
        difficulty: config.length,

        length: config.length,
        alphabetSize: config.alphabetSize,
      },
    };
  },
  score: (p, c) => exactScore(p, c, INT_SHAPE),
});
