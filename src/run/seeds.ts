import { hashString } from '../tasks/rng.js';

/** A seed for one sampling call, derived from the run seed and the call's coordinates. */
export function stepSeed(seed: number, ...parts: Array<string | number>): number {
  return hashString([seed, ...parts].join('/'));
}
