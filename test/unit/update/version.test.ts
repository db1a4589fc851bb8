import { describe, expect, it } from 'vitest';
import { compareVersions, isVersion } from '../../../src/update/version.js';

describe('compareVersions', () => {
  it.each([
    ['0.1.0', '0.2.0', -1],
    ['0.2.0', '0.1.0', 1],
    ['1.0.0', '1.0.0', 0],
    ['v1.0.0', '1.0.0', 0],
    ['1.10.0', '1.9.0', 1],
    ['1.0.0-beta.1', '1.0.0', -1],
    ['1.0.0', '1.0.0-rc.1', 1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.2', '1.0.0-alpha.10', -1],
    ['1.0.0-1', '1.0.0-alpha', -1],
    ['1.0.0+build.5', '1.0.0', 0],
  ])('%s vs %s', (a, b, want) => {
    expect(compareVersions(a, b)).toBe(want);
  });

  it.each(['1.0', 'latest', '1.0.0.0', '', '1.0.0-', '../1.0.0'])('rejects %j', (v) => {
    expect(isVersion(v)).toBe(false);
    expect(() => compareVersions(v, '1.0.0')).toThrow(/not a version/);
  });
});
