import { describe, expect, it } from 'vitest';
import { isSecretFileName, isSecretKey, redact, toKeyName } from '../../../src/secrets/detect.js';

// Token-shaped values are assembled at run time so the test file itself does
// not look like it leaks credentials to scanners.
const GH = 'ghp_' + 'A1b2C3d4E5'.repeat(3) + 'f6G7h8';
const GH_PAT = 'github_pat_' + '11ABCDEFG0'.repeat(3) + '_xyz';
const ANT = 'sk-ant-api03-' + 'Zx9'.repeat(10);
const OAI = 'sk-proj-' + 'a1B2c3D4'.repeat(4);
const AWS = 'AKIA' + 'IOSFODNN7EXAMPLE';
const SLACK = 'xoxb-' + '1234567890-abcdefABCDEF';
const PEM = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn', 'w3eNLw==', '-----END RSA PRIVATE KEY-----'].join('\n');
/** The reference a shell script or config gets in place of a value. */
const R = (key: string) => '${' + key + '}';

describe('isSecretFileName', () => {
  it.each([
    ['.env', true],
    ['prod.env', true],
    ['.env.local', true],
    ['config/api_keys.yaml', true],
    ['secrets.json', true],
    ['db-password.txt', true],
    ['github-token', true],
    ['credentials.ini', true],
    ['auth.conf', true],
    ['apikey.txt', true],
    ['deploy.sh', false],
    ['config.yaml', false],
    ['environment.ts', false],
  ])('%s -> %s', (name, want) => expect(isSecretFileName(name)).toBe(want));
});

describe('isSecretKey', () => {
  it.each([
    ['API_KEY', true],
    ['apiKey', true],
    ['GITHUB_TOKEN', true],
    ['db.password', true],
    ['DB_PASS', true],
    ['client_secret', true],
    ['AUTH', true],
    ['_authToken', true],
    ['Authorization', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['credentials', true],
    ['author', false],
    ['keyboard', false],
    ['MONKEY', false],
    ['SSH_KEY_PATH', false],
    ['TOKEN_TTL', false],
    ['NODE_ENV', false],
    ['PORT', false],
  ])('%s -> %s', (key, want) => expect(isSecretKey(key)).toBe(want));
});

describe('toKeyName', () => {
  it.each([
    ['API_KEY', 'API_KEY'],
    ['apiKey', 'API_KEY'],
    ['db.password', 'DB_PASSWORD'],
    ['x-auth-token', 'X_AUTH_TOKEN'],
    ['_authToken', '_AUTH_TOKEN'],
    ['2fa_secret', '_2FA_SECRET'],
  ])('%s -> %s', (raw, want) => expect(toKeyName(raw)).toBe(want));
});

interface Case {
  name: string;
  file: string;
  input: string;
  output: string;
  secrets: [string, string][];
}

const cases: Case[] = [
  { name: 'plain KEY=value', file: 'deploy.sh', input: 'API_KEY=abc123\n', output: `API_KEY=${R('API_KEY')}\n`, secrets: [['API_KEY', 'abc123']] },
  {
    name: 'export with double quotes',
    file: 'deploy.sh',
    input: 'export GITHUB_TOKEN="s3cr3t value"\necho hi\n',
    output: `export GITHUB_TOKEN="${R('GITHUB_TOKEN')}"\necho hi\n`,
    secrets: [['GITHUB_TOKEN', 's3cr3t value']],
  },
  // Single quotes would keep ${…} from expanding: the reference takes double quotes.
  { name: 'single quotes', file: 'x.sh', input: "DB_PASSWORD='p@ss'", output: `DB_PASSWORD="${R('DB_PASSWORD')}"`, secrets: [['DB_PASSWORD', 'p@ss']] },
  {
    name: 'YAML key: value with comment',
    file: 'config.yaml',
    input: 'db:\n  host: localhost\n  password: hunter2 # prod\n',
    output: `db:\n  host: localhost\n  password: ${R('PASSWORD')} # prod\n`,
    secrets: [['PASSWORD', 'hunter2']],
  },
  {
    name: 'JSON quoted key',
    file: 'settings.json',
    input: '{\n  "apiKey": "abc-123",\n  "author": "Jane"\n}\n',
    output: `{\n  "apiKey": "${R('API_KEY')}",\n  "author": "Jane"\n}\n`,
    secrets: [['API_KEY', 'abc-123']],
  },
  {
    name: '.env: every value, but not small numbers',
    file: '.env',
    input: 'NODE_ENV=production\nPORT=3000\nDATABASE_URL=postgres://u:pw@db/app\n',
    output: `NODE_ENV=${R('NODE_ENV')}\nPORT=3000\nDATABASE_URL=${R('DATABASE_URL')}\n`,
    secrets: [
      ['NODE_ENV', 'production'],
      ['DATABASE_URL', 'postgres://u:pw@db/app'],
    ],
  },
  {
    name: 'ordinary file: ordinary keys untouched',
    file: 'app.conf',
    input: 'NODE_ENV=production\nLOG_LEVEL=debug\n',
    output: 'NODE_ENV=production\nLOG_LEVEL=debug\n',
    secrets: [],
  },
  {
    name: 'references, booleans and placeholders are not secrets',
    file: 'deploy.sh',
    input: 'TOKEN=$GITHUB_TOKEN\nAUTH_ENABLED=true\nAPI_KEY=<your-key>\nSECRET=${SECRET}\nPASSWORD=\n',
    output: 'TOKEN=$GITHUB_TOKEN\nAUTH_ENABLED=true\nAPI_KEY=<your-key>\nSECRET=${SECRET}\nPASSWORD=\n',
    secrets: [],
  },
  {
    name: 'code: only quoted literals',
    file: 'client.ts',
    input: 'const apiKey = process.env.API_KEY;\nconst token = "tok_123456";\n',
    output: 'const apiKey = process.env.API_KEY;\nconst token = process.env.TOKEN;\n',
    secrets: [['TOKEN', 'tok_123456']],
  },
  {
    name: 'GitHub token without a key',
    file: 'notes.md',
    input: `use ${GH} for the API\n`,
    output: `use ${R('GITHUB_TOKEN')} for the API\n`,
    secrets: [['GITHUB_TOKEN', GH]],
  },
  { name: 'fine-grained GitHub PAT', file: 'notes.md', input: GH_PAT, output: R('GITHUB_TOKEN'), secrets: [['GITHUB_TOKEN', GH_PAT]] },
  {
    name: 'Anthropic and OpenAI keys on one line',
    file: 'run.py',
    input: `client(${ANT}, ${OAI})`,
    output: 'import os\nclient(os.environ["ANTHROPIC_API_KEY"], os.environ["OPENAI_API_KEY"])',
    secrets: [
      ['ANTHROPIC_API_KEY', ANT],
      ['OPENAI_API_KEY', OAI],
    ],
  },
  {
    name: 'AWS and Slack',
    file: 'notes.txt',
    input: `aws ${AWS}\nslack ${SLACK}\n`,
    output: `aws ${R('AWS_ACCESS_KEY_ID')}\nslack ${R('SLACK_TOKEN')}\n`,
    secrets: [
      ['AWS_ACCESS_KEY_ID', AWS],
      ['SLACK_TOKEN', SLACK],
    ],
  },
  {
    name: 'Bearer token in a command line',
    file: 'call.sh',
    input: 'curl -H "Authorization: Bearer abcDEF0123456789xyzXYZ.abc" https://api',
    output: `curl -H "Authorization: Bearer ${R('BEARER_TOKEN')}" https://api`,
    secrets: [['BEARER_TOKEN', 'abcDEF0123456789xyzXYZ.abc']],
  },
  {
    name: 'token under an ordinary key takes that key',
    file: 'deploy.sh',
    input: `GH=${GH}\n`,
    output: `GH=${R('GH')}\n`,
    secrets: [['GH', GH]],
  },
  {
    name: 'same token twice: one key',
    file: 'notes.md',
    input: `${GH}\nagain ${GH}\n`,
    output: `${R('GITHUB_TOKEN')}\nagain ${R('GITHUB_TOKEN')}\n`,
    secrets: [['GITHUB_TOKEN', GH]],
  },
  {
    name: 'two different tokens: suffixed',
    file: 'notes.md',
    input: `${GH}\n${GH.replace('A1', 'Z9')}\n`,
    output: `${R('GITHUB_TOKEN')}\n${R('GITHUB_TOKEN_2')}\n`,
    secrets: [
      ['GITHUB_TOKEN', GH],
      ['GITHUB_TOKEN_2', GH.replace('A1', 'Z9')],
    ],
  },
  {
    name: 'same key twice with different values',
    file: 'config.yaml',
    input: 'db:\n  password: one\ncache:\n  password: two\n',
    output: `db:\n  password: ${R('PASSWORD')}\ncache:\n  password: ${R('PASSWORD_2')}\n`,
    secrets: [
      ['PASSWORD', 'one'],
      ['PASSWORD_2', 'two'],
    ],
  },
  { name: 'PEM block', file: 'id_rsa', input: `${PEM}\n`, output: `${R('PRIVATE_KEY')}\n`, secrets: [['PRIVATE_KEY', PEM]] },
  {
    name: 'PEM block in a JSON string',
    file: 'sa.json',
    input: `{"private_key": "${PEM.replace(/\n/g, '\\n')}\\n"}`,
    output: `{"private_key": "${R('PRIVATE_KEY')}\\n"}`,
    secrets: [['PRIVATE_KEY', PEM.replace(/\n/g, '\\n')]],
  },
  {
    name: 'URL password without a key',
    file: 'notes.md',
    input: 'psql postgres://app:Sup3r@db.internal/app',
    output: `psql postgres://app:${R('URL_PASSWORD')}@db.internal/app`,
    secrets: [['URL_PASSWORD', 'Sup3r']],
  },
  {
    name: 'already redacted content is left alone',
    file: '.env',
    input: `API_KEY=${R('API_KEY')}\n`,
    output: `API_KEY=${R('API_KEY')}\n`,
    secrets: [],
  },
  { name: 'CRLF line endings kept', file: 'x.sh', input: 'TOKEN=a1\r\nB=2\r\n', output: `TOKEN=${R('TOKEN')}\r\nB=2\r\n`, secrets: [['TOKEN', 'a1']] },
];

describe('redact', () => {
  it.each(cases)('$name', ({ file, input, output, secrets }) => {
    const got = redact(file, input);
    expect(got.content).toBe(output);
    expect(got.secrets.map((s) => [s.key, s.value])).toEqual(secrets);
    for (const [, value] of secrets) expect(got.content).not.toContain(value);
  });

  it('generated names avoid keys the session holds with other values, and reuse one holding the same value', () => {
    const got = redact('notes.md', GH, { stored: { GITHUB_TOKEN: 'older' } });
    expect(got.secrets).toEqual([{ key: 'GITHUB_TOKEN_2', value: GH }]);
    expect(got.content).toBe(R('GITHUB_TOKEN_2'));
    const same = redact('notes.md', GH, { stored: { MY_GH: GH } });
    expect(same).toMatchObject({ content: R('MY_GH'), secrets: [{ key: 'MY_GH', value: GH }], fresh: [] });
  });

  // Issue #26: a second TOKEN with another value must not replace the first.
  it('an explicit key the session holds with another value gets the next free suffix, and says so', () => {
    const got = redact('x.sh', 'TOKEN=new', { stored: { TOKEN: 'old', TOKEN_2: 'older' } });
    expect(got).toEqual({ content: `TOKEN=${R('TOKEN_3')}`, secrets: [{ key: 'TOKEN_3', value: 'new' }], fresh: [{ key: 'TOKEN_3', value: 'new' }], renamed: [{ from: 'TOKEN', to: 'TOKEN_3' }] });
  });

  it('the same value under the same key is reused, not stored again', () => {
    const got = redact('x.sh', 'TOKEN=old\nOTHER_TOKEN=older', { stored: { TOKEN: 'old', OTHER_TOKEN: 'older' } });
    expect(got).toEqual({ content: `TOKEN=${R('TOKEN')}\nOTHER_TOKEN=${R('OTHER_TOKEN')}`, secrets: [{ key: 'TOKEN', value: 'old' }, { key: 'OTHER_TOKEN', value: 'older' }], fresh: [], renamed: [] });
  });

  it('a suffixed key already holding the value is found again', () => {
    const got = redact('x.sh', 'TOKEN=b', { stored: { TOKEN: 'a', TOKEN_2: 'b' } });
    expect(got).toMatchObject({ content: `TOKEN=${R('TOKEN_2')}`, fresh: [], renamed: [] });
  });

  it('every generated key is a valid secret name', () => {
    const got = redact('.env', 'api-key=1x\n2fa.token=2y\n"x.y": "z"\n');
    for (const s of got.secrets) expect(s.key).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
  });
});
