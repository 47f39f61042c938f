/**
 * Typed numeric command-line options with bounds, as commander argument parsers:
 *
 *   .option('--temperature <t>', 'sampling temperature', floatOption('--temperature', { min: 0 }), 1)
 *
 * Bad input stops before any work with a message that names the flag, the accepted range and what was
 * given: `--temperature: expected a number ≥ 0, got 'abc'`.
 */
import { InvalidArgumentError } from 'commander';

export interface NumberBounds {
  /** Smallest accepted value (inclusive). */
  min?: number;
  /** Largest accepted value (inclusive). */
  max?: number;
}

function rangeText(kind: string, { min, max }: NumberBounds): string {
  if (min !== undefined && max !== undefined) return `${kind} in [${min}, ${max}]`;
  if (min !== undefined) return `${kind} ≥ ${min}`;
  if (max !== undefined) return `${kind} ≤ ${max}`;
  return kind;
}

/** Parses one flag value; `integer` also refuses fractions. Blank text is not zero. */
export function parseBoundedNumber(
  flag: string,
  text: string,
  bounds: NumberBounds,
  integer: boolean,
): number {
  const n = text.trim() === '' ? NaN : Number(text);
  const ok =
    Number.isFinite(n) &&
    (!integer || Number.isInteger(n)) &&
    (bounds.min === undefined || n >= bounds.min) &&
    (bounds.max === undefined || n <= bounds.max);
  if (!ok) {
    const kind = integer ? 'an integer' : 'a number';
    throw new InvalidArgumentError(`${flag}: expected ${rangeText(kind, bounds)}, got '${text}'`);
  }
  return n;
}

/** An integer flag, e.g. `intOption('--steps', { min: 1 })`. */
export function intOption(flag: string, bounds: NumberBounds = {}): (text: string) => number {
  return (text) => parseBoundedNumber(flag, text, bounds, true);
}

/** A real-valued flag, e.g. `floatOption('--tau', { min: 0, max: 1 })`. */
export function floatOption(flag: string, bounds: NumberBounds = {}): (text: string) => number {
  return (text) => parseBoundedNumber(flag, text, bounds, false);
}

/** A comma-separated list of integers, e.g. `--seeds 1,2,3`. */
export function intListOption(flag: string, bounds: NumberBounds = {}): (text: string) => number[] {
  return (text) => text.split(',').map((part) => parseBoundedNumber(flag, part, bounds, true));
}
