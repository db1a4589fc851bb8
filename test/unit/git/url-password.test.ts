// The rule for sync remote URLs: a password in the userinfo is refused (it
// would be committed in .cs/sync.conf) and masked wherever cs shows a URL.
import { describe, expect, it } from 'vitest';
import { UserError, exitCodeOf } from '../../../src/lib/errors.js';
import { maskUrlPassword, refuseUrlPassword, urlCredential, urlPassword } from '../../../src/git/url-password.js';

describe('urlPassword / maskUrlPassword', () => {
  it.each([
    // [url, password as written, as cs shows it]
    ['https://bob:Sup3rS3cretPw99@example.invalid/x.git', 'Sup3rS3cretPw99', 'https://bob:***@example.invalid/x.git'],
    ['https://:tok@host/x.git', 'tok', 'https://:***@host/x.git'],
    ['https://bob:p%40ss%3Aw@host/x.git', 'p%40ss%3Aw', 'https://bob:***@host/x.git'],
    ['https://bob:pw@[::1]:8443/x.git', 'pw', 'https://bob:***@[::1]:8443/x.git'],
    ['https://bob:pw@[2001:db8::7]/x.git', 'pw', 'https://bob:***@[2001:db8::7]/x.git'],
    ['HTTP://bob:pw@host/x.git', 'pw', 'HTTP://bob:***@host/x.git'],
    ['ssh://git:pw@host:22/x.git', 'pw', 'ssh://git:***@host:22/x.git'],
    // WHATWG cannot parse it (a port that is not a number); read by the same rule by hand
    ['ssh://git:pw@host:x/y.git', 'pw', 'ssh://git:***@host:x/y.git'],
    // an unencoded `@` in the password: the userinfo ends at the last `@`
    ['https://bob:p@ss@host/x.git', 'p%40ss', 'https://bob:***@host/x.git'],
  ])('%s holds a password', (url, password, shown) => {
    expect(urlPassword(url)).toBe(password);
    expect(maskUrlPassword(url)).toBe(shown);
    expect(maskUrlPassword(url)).not.toContain(':pw@');
  });

  it.each([
    'https://bob@example.invalid/x.git',
    'https://host/x.git',
    'https://bob:@host/x.git', // an empty password is no secret
    'https://[::1]:8443/x.git',
    'ssh://git@host:22/x.git',
    'ssh://git@[::1]/x.git',
    'git@github.com:me/x.git', // scp-like: not a URL, `git` is a user name
    'me:pw@host:x.git', // scp-like too: host `me`, path `pw@host:x.git`
    'file:///srv/x.git',
    '/srv/x.git',
    '../remotes/x.git',
    'x.git',
    'https://host/a:b@c', // an `@` in the path is not userinfo
    'https://host/x.git?u=a:b@c',
  ])('%s holds none and is shown as is', (url) => {
    expect(urlPassword(url)).toBeNull();
    expect(maskUrlPassword(url)).toBe(url);
  });
});

describe('refuseUrlPassword', () => {
  it('refuses a password with a one-line UserError that masks it and says what to do', () => {
    let err: unknown;
    try {
      refuseUrlPassword('https://bob:Sup3rS3cretPw99@example.invalid/x.git');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const e = err as UserError;
    expect(exitCodeOf(e)).toBe(1);
    expect(e.message).toBe('refusing remote URL https://bob:***@example.invalid/x.git: it holds a password, which .cs/sync.conf would commit and cs would print');
    expect(e.hint).toMatch(/^give it without the password \(https:\/\/bob@example\.invalid\/x\.git\) .*credential\.helper.*ssh URL/);
    expect(`${e.message} ${e.hint}`).not.toMatch(/Sup3r|\n/);
  });

  it('a password without a user name: the URL to give instead has no userinfo at all', () => {
    expect(() => refuseUrlPassword('https://:tok@host/x.git')).toThrow(UserError);
    try {
      refuseUrlPassword('https://:tok@host/x.git');
    } catch (e) {
      expect((e as UserError).hint).toMatch(/^give it without the password \(https:\/\/host\/x\.git\)/);
    }
  });

  it.each([
    ['https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/x/y.git', 'https://github.com/x/y.git'],
    ['https://github_pat_11ABCDEFG0123456789_abcdefghijklmnop@github.com/x/y.git', 'https://github.com/x/y.git'],
    ['https://glpat-a1b2c3d4e5f6g7h8i9j0@gitlab.example/x.git', 'https://gitlab.example/x.git'],
    ['https://a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8@git.example/x.git', 'https://git.example/x.git'],
  ])('refuses a token given as the user name (%s), masked whole', (url, instead) => {
    let err: unknown;
    try {
      refuseUrlPassword(url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const e = err as UserError;
    const token = new URL(url).username;
    expect(e.message).toBe(`refusing remote URL ${url.replace(token, '***')}: it holds a token as its user name, which .cs/sync.conf would commit and cs would print`);
    expect(e.hint).toContain(`give it without the password (${instead})`);
    expect(`${e.message} ${e.hint}`).not.toContain(token);
    expect(urlCredential(url)).toBe(token);
    expect(urlPassword(url)).toBeNull();
  });

  it.each(['https://bob@host/x.git', 'ssh://git@host/x.git', 'git@host:x.git', '/srv/x.git', 'https://christopher-robinson-dev@host/x.git', 'https://oauth2@gitlab.example/x.git'])('accepts %s', (url) => {
    expect(urlCredential(url)).toBeNull();
    expect(() => refuseUrlPassword(url)).not.toThrow();
  });
});
