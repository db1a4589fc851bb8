import { describe, expect, it } from 'vitest';
import { MIN_SCRUB_LENGTH, scrubDetected, scrubKnown } from '../../../src/secrets/scrub.js';

// Token-shaped values are assembled at run time so this file does not look like a leak.
const GH = 'ghp_' + 'A1b2C3d4E5'.repeat(3) + 'f6G7h8';
const STRIPE = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc';

describe('scrubKnown', () => {
  it('replaces every occurrence, longest value first, in plain and JSON-escaped form', () => {
    const secrets = { API_TOKEN: STRIPE, PEM: 'line "one"\nline two', LONGER: STRIPE + '-suffix' };
    const text = `a ${STRIPE} b ${STRIPE}-suffix ${JSON.stringify('line "one"\nline two')}`;
    expect(scrubKnown(text, secrets)).toEqual({ text: 'a [secret: API_TOKEN] b [secret: LONGER] "[secret: PEM]"', count: 3 });
  });

  it(`leaves values shorter than ${MIN_SCRUB_LENGTH} characters alone`, () => {
    expect(scrubKnown('port 8080 and pw abc', { PORT_PASSWORD: 'abc', P: '8080' })).toEqual({ text: 'port 8080 and pw abc', count: 0 });
  });
});

describe('scrubDetected: commands and error text', () => {
  it.each([
    ['export with a GitHub token', `export GITHUB_TOKEN=${GH} && echo ok`, 'export GITHUB_TOKEN=[secret: GITHUB_TOKEN] && echo ok', ['GITHUB_TOKEN']],
    ['a token without a key', `curl -u x:${GH} https://api.github.com`, 'curl -u x:[secret: GITHUB_TOKEN] https://api.github.com', ['GITHUB_TOKEN']],
    ['a bearer header', 'curl -H "Authorization: Bearer abcDEF0123456789xyzXYZ.abc" u', 'curl -H "Authorization: Bearer [secret: BEARER_TOKEN]" u', ['BEARER_TOKEN']],
    // secretlint's rule takes the whole connection string.
    ['a database URL with a password', 'psql postgres://app:Sup3rS3cret@db/app', 'psql [secret: DATABASE_URL]', ['DATABASE_URL']],
    ['a Stripe key under its name', `STRIPE_KEY=${STRIPE} node x.js`, 'STRIPE_KEY=[secret: STRIPE_KEY] node x.js', ['STRIPE_KEY']],
  ])('%s', async (_what, input, output, keys) => {
    const r = await scrubDetected(input, {});
    expect(r.text).toBe(output);
    expect(r.fresh.map((f) => f.key)).toEqual(keys);
  });

  it.each([
    ['a git SHA', 'git show 3f786850e387550fdab836ed7e6dc881de23001b'],
    ['a UUID', 'claude --resume 123e4567-e89b-12d3-a456-426614174000'],
    ['a long path', 'ls /home/user/.cache/node/corepack/v1/pnpm/8.15.4/dist/node_modules'],
    ['a sha256', 'echo e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 | sha256sum -c'],
    ['prose about authentication', 'echo "the token is read from the keychain; see docs on auth"'],
    ['a reference', 'export TOKEN=$GITHUB_TOKEN'],
  ])('leaves %s alone', async (_what, input) => {
    expect(await scrubDetected(input, {})).toEqual({ text: input, count: 0, fresh: [] });
  });

  it('answers the same when asked again, with or without a secret in the text, and with other stored values', async () => {
    for (const input of [`export GITHUB_TOKEN=${GH}`, 'ls /home/user/notes/n1.md', `cat /tmp/${GH}.txt`]) {
      const first = await scrubDetected(input, {});
      expect(await scrubDetected(input, {}), input).toEqual(first);
      expect(await scrubDetected(input, { MY_GH: GH }), input).toEqual(input.includes(GH) ? { ...first, text: first.text.replace(/\[secret: \w+\]/, '[secret: MY_GH]'), fresh: [] } : first);
    }
  });

  it('a value the session holds keeps its key', async () => {
    expect(await scrubDetected(`export GH=${GH}`, { MY_GH: GH })).toMatchObject({ text: 'export GH=[secret: MY_GH]', fresh: [] });
  });
});

describe('a command scrubbed of known values, then scanned for new ones', () => {
  it('never takes the [secret: KEY] stand-in for a new secret', async () => {
    const known = { GITHUB_TOKEN: 'ghp_0123456789abcdefghijABCDEFGHIJ012345' };
    const first = scrubKnown(`export GITHUB_TOKEN=${known.GITHUB_TOKEN} && echo ok`, known);
    expect(first.text).toBe('export GITHUB_TOKEN=[secret: GITHUB_TOKEN] && echo ok');
    const d = await scrubDetected(first.text, known);
    expect(d.fresh).toEqual([]);
    expect(d.text).toBe('export GITHUB_TOKEN=[secret: GITHUB_TOKEN] && echo ok');
  });
});
