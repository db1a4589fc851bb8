// How a captured file refers to the secrets it no longer holds, per language,
// and the way back (render). The shell and Python cases are also run for real.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { redact } from '../../../src/secrets/detect.js';
import { languageOf, render } from '../../../src/secrets/references.js';

const GH = 'ghp_' + 'A1b2C3d4E5'.repeat(3) + 'f6G7h8';

describe('languageOf', () => {
  it.each([
    ['deploy.sh', 'shell'],
    ['x.bash', 'shell'],
    ['app.py', 'python'],
    ['index.ts', 'js'],
    ['a.mjs', 'js'],
    ['t.rb', 'ruby'],
    ['t.pl', 'perl'],
    ['.env', 'config'],
    ['config.yaml', 'config'],
    ['settings.json', 'config'],
    ['Makefile', 'config'],
  ])('%s -> %s', (file, lang) => expect(languageOf(file)).toBe(lang));
});

describe('references in the file language', () => {
  it.each([
    ['shell, unquoted', 'deploy.sh', 'API_TOKEN=abc123\n', 'API_TOKEN=${API_TOKEN}\n'],
    ['shell, double quotes', 'deploy.sh', 'export API_TOKEN="abc 123"\n', 'export API_TOKEN="${API_TOKEN}"\n'],
    ['shell, a whole single-quoted value', 'deploy.sh', "API_TOKEN='abc123'\n", 'API_TOKEN="${API_TOKEN}"\n'],
    ['shell, a token inside single quotes', 'call.sh', `curl -H 'x: ${GH}' u\n`, `curl -H 'x: '"\${GITHUB_TOKEN}"'' u\n`],
    ['python, a whole literal', 'app.py', 'token = "abc123"\n', 'import os\ntoken = os.environ["TOKEN"]\n'],
    ['python, import os kept once', 'app.py', '#!/usr/bin/env python3\nimport os, sys\ntoken = "abc123"\n', '#!/usr/bin/env python3\nimport os, sys\ntoken = os.environ["TOKEN"]\n'],
    ['python, after the shebang', 'app.py', `#!/usr/bin/env python3\nh = {"x": "Bearer ${GH}"}\n`, `#!/usr/bin/env python3\nimport os\nh = {"x": "Bearer " + os.environ["H"] + ""}\n`],
    ['js, a whole literal', 'client.ts', "const apiKey = 'abc123';\n", 'const apiKey = process.env.API_KEY;\n'],
    ['js, inside a template literal', 'client.js', `const h = \`token ${GH}\`;\n`, 'const h = `token ${process.env.H}`;\n'],
    ['ruby', 'x.rb', 'token = "abc123"\n', 'token = ENV["TOKEN"]\n'],
    ['perl', 'x.pl', 'my $token = "abc123";\n', 'my $token = $ENV{TOKEN};\n'],
    ['yaml placeholder', 'config.yaml', 'password: hunter2\n', 'password: ${PASSWORD}\n'],
    ['json placeholder', 'settings.json', '{"apiKey": "abc-123"}\n', '{"apiKey": "${API_KEY}"}\n'],
  ])('%s', (_what, file, input, output) => {
    expect(redact(file, input).content).toBe(output);
  });
});

describe('the captured file still runs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-refs-'));
  const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv) => spawnSync(cmd, args, { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  it.each([
    ['deploy.sh', `#!/bin/sh\nAPI_TOKEN='${GH}'\necho "token=$API_TOKEN"\ncurl_args='-H x:${GH}'\necho "$curl_args"\n`, 'sh'],
    ['app.py', `token = "${GH}"\nprint("token=" + token)\nprint('-H x:${GH}')\n`, 'python3'],
    ['app.js', `const t = "${GH}";\nconsole.log("token=" + t);\nconsole.log(\`-H x:${GH}\`);\n`, process.execPath],
  ])('%s prints the value from the environment, and render gives the original back', (file, content, interpreter) => {
    const r = redact(file, content);
    expect(r.content).not.toContain(GH);
    const f = path.join(dir, file);
    fs.writeFileSync(f, r.content);
    const out = run(interpreter, [f], { [r.secrets[0]!.key]: GH });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe(`token=${GH}\n-H x:${GH}\n`);
    const back = render(file, r.content, { [r.secrets[0]!.key]: GH });
    fs.writeFileSync(f, back);
    expect(run(interpreter, [f], {}).stdout).toBe(`token=${GH}\n-H x:${GH}\n`);
  });
});

// Issue #18: provider formats anywhere in a line (secretlint's recommended
// preset), JWTs and YAML block scalars, next to look-alikes that must stay.
describe('detectAndRedact: provider formats and look-alikes', () => {
  const STRIPE = 'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc';
  const NPM = 'npm_' + 'a1B2c3D4e5'.repeat(3) + 'abcdef';
  const SLACK = 'xoxb-' + '1234567890-1234567890-' + 'abcdefABCDEF'.repeat(2);
  const JWT = 'eyJhbGciOiJIUzI1NiJ9.' + 'eyJzdWIiOiIxMjM0NTY3ODkwIn0.' + 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
  it.each([
    ['GitHub token inside a JSON value', 'settings.json', `{"note": "push with ${GH} today"}\n`, ['GITHUB_TOKEN']],
    ['URL with a password', 'remote.json', `{"remote": "https://x-access:${GH}@github.com/o/r"}\n`, ['URL_PASSWORD']],
    ['npm _authToken line', '.npmrc.conf', `//registry.npmjs.org/:_authToken=${NPM}\n`, ['NPM_TOKEN']],
    ['Stripe key in a source string', 'pay.ts', `const stripe = new Stripe("${STRIPE}", {});\n`, ['STRIPE_SECRET_KEY']],
    ['Slack token in YAML', 'notify.yaml', `webhook:\n  slack: ${SLACK}\n`, ['SLACK']],
    ['JWT in a header', 'call.sh', `curl -H "X-Session: ${JWT}" https://api\n`, ['JWT']],
    ['YAML block scalar under a secret key', 'svc.yaml', 'db:\n  password: |\n    first line\n    second line\n  host: db\n', ['PASSWORD']],
  ])('%s', async (_what, file, input, keys) => {
    const { detectAndRedact } = await import('../../../src/secrets/providers.js');
    const r = await detectAndRedact(file, input);
    expect(r.secrets.map((x) => x.key)).toEqual(keys);
    for (const x of r.secrets) expect(r.content).not.toContain(x.value);
  });

  // secretlint 13's AWS rule reports the start of `AWS_SECRET_ACCESS_KEY=…` with the value's length:
  // the whole value must go, and the line keep its name (not AWS's documented example key, which secretlint ignores).
  const AWS_SECRET = 'Zq3mT8vXp2LkR9sW4yB7nC1dF6gH0jK5aE8uI2oP';
  // So do its two npm rules (.npmrc `_authToken=`, a package.json git URL with x-oauth-basic).
  const NPM_TOKEN = 'npm_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
  const GH_BASIC = 'abcdef0123456789abcdef0123456789abcdef01';
  it.each([
    ['AWS, shell', 'deploy.sh', `export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n`, AWS_SECRET, /AWS_SECRET_ACCESS_KEY=/],
    ['AWS, Python', 'settings.py', `aws_secret_access_key = "${AWS_SECRET}"\n`, AWS_SECRET, /aws_secret_access_key = os\.environ\["AWS_SECRET_ACCESS_KEY"\]/],
    ['npm, .npmrc', '.npmrc', `//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n`, NPM_TOKEN, /:_authToken=/],
    ['npm, package.json git URL', 'package.json', `{"dependencies": {"x": "git+https://${GH_BASIC}:x-oauth-basic@github.com/o/r.git"}}\n`, GH_BASIC, /"git\+\$\{URL_PASSWORD\}\/o\/r\.git"/],
  ])('a provider key reported from the start of its match (%s) is taken out whole', async (_what, file, input, value, kept) => {
    const { detectAndRedact } = await import('../../../src/secrets/providers.js');
    const r = await detectAndRedact(file, input);
    // The value stored (a URL's credential goes with its URL: the basic-auth rule takes the whole of it).
    expect(r.secrets.some((x) => x.value.includes(value)), JSON.stringify(r.secrets.map((x) => x.key))).toBe(true);
    for (const part of [value.slice(0, 10), value.slice(-10)]) expect(r.content).not.toContain(part);
    expect(r.content).toMatch(kept);
  });
  it('an AWS key in a shell file keeps its variable name', async () => {
    const { detectAndRedact } = await import('../../../src/secrets/providers.js');
    expect((await detectAndRedact('deploy.sh', `export AWS_SECRET_ACCESS_KEY=${AWS_SECRET}\n`)).content).toBe('export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}\n');
  });

  it('valueRange: a finding moved onto its value, else left', async () => {
    const { valueRange } = await import('../../../src/secrets/providers.js');
    const text = 'K=abc V=secretvalue tail secretvalue';
    expect(valueRange(text, [6, 17], ['secretvalue'])).toEqual([8, 19]);
    expect(valueRange(text, [8, 19], ['secretvalue'])).toEqual([8, 19]);
    expect(valueRange(text, [30, 35], ['secretvalue'])).toEqual([25, 36]);
    expect(valueRange(text, [2, 5], ['missing'])).toEqual([2, 5]);
    expect(valueRange(text, [2, 5], [])).toEqual([2, 5]);
    expect(valueRange(text, [6, 17], ['missing', 'secretvalue'])).toEqual([8, 19]);
    // A rule whose value is the whole match (basic auth: the URL) keeps its range.
    expect(valueRange(text, [0, 5], ['K=abc', 'abc'])).toEqual([0, 5]);
  });

  it.each([
    ['a git SHA', 'ci.yaml', 'ref: 3f786850e387550fdab836ed7e6dc881de23001b\n'],
    ['a UUID', 'app.json', '{"id": "123e4567-e89b-12d3-a456-426614174000"}\n'],
    ['a long path', 'build.sh', 'OUT=/home/user/.cache/node/corepack/v1/pnpm/8.15.4/dist/node_modules\n'],
    ['a sha256 checksum', 'release.toml', 'sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"\n'],
    ['prose about authentication', 'notes.yaml', 'doc: the token is read from the keychain; see the auth docs\n'],
    ['an env reference', 'deploy.sh', 'API_TOKEN=${API_TOKEN}\n'],
  ])('leaves %s alone', async (_what, file, input) => {
    const { detectAndRedact } = await import('../../../src/secrets/providers.js');
    const r = await detectAndRedact(file, input);
    expect(r).toMatchObject({ content: input, secrets: [] });
  });
});
