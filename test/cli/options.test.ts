import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { floatOption, intListOption, intOption } from '../../src/cli/options.js';

describe('bounded numeric options', () => {
  it('accepts values in range and returns numbers', () => {
    expect(intOption('--steps', { min: 1 })('40')).toBe(40);
    expect(floatOption('--tau', { min: 0, max: 1 })('0.75')).toBe(0.75);
    expect(floatOption('--temperature', { min: 0 })('0')).toBe(0);
    expect(intListOption('--seeds', { min: 0 })('1,2,3')).toEqual([1, 2, 3]);
  });

  it('names the flag, the range and the bad text', () => {
    expect(() => floatOption('--temperature', { min: 0 })('abc')).toThrow(
      "--temperature: expected a number ≥ 0, got 'abc'",
    );
    expect(() => floatOption('--tau', { min: 0, max: 1 })('-1')).toThrow(
      "--tau: expected a number in [0, 1], got '-1'",
    );
    expect(() => intOption('--steps', { min: 1 })('2.5')).toThrow(
      "--steps: expected an integer ≥ 1, got '2.5'",
    );
    expect(() => intOption('--steps', { max: 9 })('10')).toThrow('expected an integer ≤ 9');
    expect(() => intListOption('--seeds', { min: 0 })('1,x')).toThrow(
      "--seeds: expected an integer ≥ 0, got 'x'",
    );
  });

  it('refuses blank text, infinities and NaN rather than reading them as numbers', () => {
    for (const bad of ['', ' ', 'Infinity', 'NaN']) {
      expect(() => floatOption('--lr')(bad)).toThrow(InvalidArgumentError);
    }
  });
});
