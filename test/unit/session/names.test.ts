import { describe, expect, it } from 'vitest';
import { nameProblem, validateName } from '../../../src/session/names.js';
import { UsageError } from '../../../src/lib/errors.js';

describe('session names', () => {
  it.each(['a', 'debug-api', 'v1.2_x', 'A'.repeat(64), '_private', '9lives'])('accepts %j', (n) => {
    expect(nameProblem(n)).toBeNull();
    expect(validateName(n)).toBe(n);
  });
  it.each([
    ['', /empty/],
    ['..', /starts with "\."/],
    ['.hidden', /starts with "\."/],
    ['-rf', /starts with "-"/],
    ['a/b', /characters other than/],
    ['../etc', /starts with "\."/],
    ['a b', /characters other than/],
    ['x'.repeat(65), /65 characters/],
    ['tab\there', /control characters/],
    ['nl\n', /control characters/],
    ['é', /characters other than/],
    ['host:sess', /characters other than/],
  ])('refuses %j', (n, why) => {
    expect(nameProblem(n)).toMatch(why);
    expect(() => validateName(n)).toThrow(UsageError);
  });
});
