// Secret detection and redaction for captured files. Pure: no I/O, no
// backend; the caller stores the returned values (see storeSecrets) and
// writes the returned content, in which each value has become a reference
// to an environment variable in the file's own language (see references.ts).
//
// Rules, in order:
//  1. PEM private key blocks anywhere (multi-line, or one line with \n escapes).
//  2. Assignment lines (`KEY=value`, `export KEY=value`, `KEY: value`,
//     `"key": "value"`, `const key = "value"`): the whole value is redacted when
//     the key names a secret (a word such as token, password, secret, auth, key
//     as one of its parts: `GITHUB_TOKEN`, `apiKey`, `db.password`, not
//     `author` or `keyboard`), or when the file itself is a secrets file
//     (`.env`, `*.env`, or a name containing key, secret, token, …).
//  3. URLs with a password (`postgres://u:pw@host`).
//  4. Well-known token shapes anywhere in a line (GitHub, Anthropic, OpenAI,
//     AWS access key ids, Slack, `Bearer <token>`).
// In code files (js, ts, py, …) only quoted literals count as values, so
// `apiKey: process.env.KEY` is left alone.
import * as path from 'node:path';
import { languageOf, toReferences } from './references.js';

export interface DetectedSecret {
  key: string;
  value: string;
}

export interface RedactResult {
  content: string;
  /** One entry per distinct key the content now refers to, in order of appearance. */
  secrets: DetectedSecret[];
  /** The entries of `secrets` the session does not hold yet: the ones to store. */
  fresh: DetectedSecret[];
  /** Keys that took a suffix because the session holds another value under the name the file used. */
  renamed: { from: string; to: string }[];
}

export interface RedactOptions {
  /**
   * The session's stored secrets (key -> value). A key found again with the
   * same value is reused and not stored twice; a key the session holds with
   * a different value gets the first free suffix (TOKEN_2, TOKEN_3…), so no
   * value ever replaces another (issue #26). Generated names (tokens found
   * without a key) reuse the key of an identical stored value.
   */
  stored?: Readonly<Record<string, string>>;
  /**
   * Secrets another detector found (secretlint's provider rules, see
   * providers.ts): offsets into `content` and the name to use when no key
   * on the line names the value.
   */
  spans?: readonly ProviderSpan[];
}

export interface ProviderSpan {
  start: number;
  end: number;
  name: string;
}

/**
 * The stand-in redact() leaves where a value was before references.ts turns
 * it into the file's own reference syntax: NUL bytes never occur in text a
 * tool writes, so the stand-in cannot collide with content.
 */
export function redactionMarker(key: string): string {
  return `\u0000cs-secret:${key}\u0000`;
}
const MARKER_PREFIX = '\u0000cs-secret:';

/** Words that make a key (or a file name) secret. */
const SECRET_WORDS = ['key', 'secret', 'password', 'token', 'credential', 'auth', 'apikey', 'api_key'];
/** Parts of a key name that count as secret words (after plural stripping). */
const SECRET_PARTS = new Set([
  'key', 'secret', 'password', 'passwd', 'pass', 'pwd', 'passphrase', 'token', 'credential', 'creds', 'cred',
  'auth', 'authorization', 'apikey', 'secretkey', 'privatekey', 'accesskey', 'authtoken', 'accesstoken',
  'bearer', 'pat', 'dsn',
]);
/** A key ending in one of these describes a secret rather than holding one (`KEY_PATH`, `TOKEN_TTL`). */
const DESCRIPTIVE_SUFFIXES = new Set([
  'path', 'file', 'dir', 'name', 'type', 'length', 'len', 'size', 'ttl', 'id', 'url', 'uri', 'endpoint',
  'count', 'enabled', 'required', 'header', 'prefix', 'field', 'env', 'mode', 'method', 'provider',
  'expiry', 'expires', 'timeout', 'algorithm', 'version', 'format',
]);
const CODE_EXTENSIONS = new Set([
  'js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx', 'py', 'rb', 'pl', 'go', 'java', 'kt', 'rs', 'php', 'cs', 'swift', 'json',
]);

/**
 * Where the detector (TOKEN_SHAPES and PEM_RE here, secretlint's preset in
 * providers.ts) can find a secret in a text that has no '=' or ':' (every
 * assignment, URL password and key-name rule needs one) and no run of 20
 * characters of [A-Za-z0-9_-] (every other shape is one, prefix included):
 * the shapes that are shorter, or broken up by '.', '+' or '/', start with
 * or hold one of these. dist/hook.sh (src/hooks/shlib.ts) hands any text
 * with one to Node; the table in test/integration/hooks/parity.test.ts
 * holds the claim against the detector itself.
 */
export const DETECTION_CUES = [
  'Bearer', // BEARER_TOKEN: any 20 of [A-Za-z0-9._~+/-] after it
  'eyJ', // JWT: three dot-separated parts
  'xox', // Slack (ours and secretlint's): xoxb-1-a
  'xapp', // Slack app tokens (secretlint)
  'SG.', // SendGrid (secretlint): SG.a.b
  'ghs_', // GitHub App installation tokens (secretlint): ghs_1_a.b.c
  'glc_', // Grafana Cloud (secretlint): base64 with '+' and '/'
  'ops_', // 1Password service accounts (secretlint): base64 with '+' and '/'
  'PRIVATE', // PEM private key blocks
] as const;

/**
 * Prefixes of the token shapes whose body may be broken up by '-' or '_',
 * so that it holds no run of 20 letters and digits (detect.ts's own shapes
 * and secretlint's preset: OpenAI and Anthropic keys, npm, Linear, GitHub,
 * GitLab, HashiCorp Vault, Docker, Figma, Tailscale). A path is checked by
 * dist/hook.sh for runs of letters and digits only (paths join words with
 * '-' and '_'), so a path holding one of these and a run of 20 token
 * characters goes to Node (cs_path_clean). The path table in
 * test/integration/hooks/parity.test.ts holds the claim against the detector.
 */
export const PATH_CUES = ['sk-', 'npm_', 'lin_api_', 'ghp_', 'gho_', 'ghu_', 'ghr_', 'github_pat_', 'glpat-', 'hvs.', 'hvb.', 'hvr.', 'dckr_pat_', 'figd_', 'tskey-'] as const;

/** A run of 20 of the characters token shapes are made of (see DETECTION_CUES). */
const TOKEN_RUN = /[A-Za-z0-9_-]{20}/;

/**
 * True when the secret detector (findSecrets with secretlint's preset) can
 * find nothing in `text`: no '=' or ':', none of DETECTION_CUES and no run
 * of 20 token characters. The same rule as dist/hook.sh's cs_undetectable
 * with its run check; callers skip the detector (and loading secretlint) on
 * such a text. Pure.
 */
export function nothingToDetect(text: string): boolean {
  return !/[=:]/.test(text) && !DETECTION_CUES.some((c) => text.includes(c)) && !TOKEN_RUN.test(text);
}

interface TokenShape {
  name: string;
  re: RegExp;
}
const TOKEN_SHAPES: TokenShape[] = [
  { name: 'GITHUB_TOKEN', re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g },
  { name: 'ANTHROPIC_API_KEY', re: /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/g },
  { name: 'OPENAI_API_KEY', re: /(?<![A-Za-z0-9_-])sk-(?!ant-)(?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{20,}/g },
  { name: 'AWS_ACCESS_KEY_ID', re: /(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])/g },
  { name: 'SLACK_TOKEN', re: /(?<![A-Za-z0-9_])xox[baprs]-[A-Za-z0-9-]{10,}/g },
  // A JWT: base64url header and payload (both JSON objects, so "eyJ"), and a signature.
  { name: 'JWT', re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  // `Authorization: Bearer <token>` inside a command line or header block.
  { name: 'BEARER_TOKEN', re: /(?<=\bBearer\s+)[A-Za-z0-9._~+/-]{20,}=*/g },
];
const PEM_RE = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----[\s\S]*?-----END \1PRIVATE KEY\2-----/g;
const URL_PASSWORD_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"`]+:([^\s@/'"`]+)@/gi;

/** `.env`, `*.env`, `.env.local`, or a name containing one of the secret words. */
export function isSecretFileName(fileName: string): boolean {
  const base = path.basename(fileName).toLowerCase();
  if (base === '.env' || base.endsWith('.env') || base.startsWith('.env.')) return true;
  return SECRET_WORDS.some((w) => base.includes(w));
}

/** Splits `apiKey`, `API_KEY`, `db.password`, `x-auth-token` into lower-case parts. */
function keyParts(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.\-]+/)
    .filter(Boolean)
    .map((p) => p.toLowerCase());
}

function singular(part: string): string {
  return part.length > 3 && part.endsWith('s') && !part.endsWith('ss') ? part.slice(0, -1) : part;
}

/** True when the key's name says it holds a secret. */
export function isSecretKey(key: string): boolean {
  const parts = keyParts(key).map(singular);
  if (parts.length === 0) return false;
  if (parts.length > 1 && DESCRIPTIVE_SUFFIXES.has(parts[parts.length - 1]!)) return false;
  return parts.some((p) => SECRET_PARTS.has(p));
}

/** `apiKey` -> `API_KEY`, `db.password` -> `DB_PASSWORD`: a valid secret name. */
export function toKeyName(raw: string): string {
  const name = keyParts(raw).join('_').toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  const lead = raw.startsWith('_') ? '_' : '';
  const out = lead + name;
  if (out === '' || out === '_') return 'SECRET';
  return /^[0-9]/.test(out) ? '_' + out : out;
}

/** Values that are clearly not secrets: empty, references, booleans, placeholders, structure. */
function isTrivialValue(value: string): boolean {
  const v = value.trim();
  // MARKER_PREFIX: our own stand-in; `[secret: KEY]`: a value scrub.ts already replaced (a
  // recorded command is scrubbed of known values before it is scanned for new ones).
  if (v === '' || v.includes(MARKER_PREFIX) || v.startsWith('[secret:')) return true;
  if (/^\$\{?[A-Za-z_]/.test(v) || v.includes('${') || v.includes('$(') || v.includes('{{')) return true;
  if (/^(true|false|yes|no|on|off|null|nil|none|undefined|~)$/i.test(v)) return true;
  if (/^<[^>]*>$/.test(v) || /^(x+|\*+|\.+|-+)$/i.test(v) || /^your[-_ ]/i.test(v) || /^changeme$/i.test(v)) return true;
  if (/^[|>{[(]$/.test(v) || /^[|>][-+]?$/.test(v)) return true;
  return false;
}

interface Assignment {
  key: string;
  /** Offset in the line where the value (inside any quotes) starts and ends. */
  start: number;
  end: number;
  value: string;
  quoted: boolean;
}

const ASSIGN_RE =
  /^(\s*(?:-\s+)?(?:(?:export|const|let|var|readonly|local|declare|set)\s+)?)(?:(["'])([A-Za-z_][\w.\-]*)\2(\s*[:=]\s*)|([A-Za-z_][\w.\-]*)(\s*=\s*|\s*:\s+|\s*:$))/;

function parseAssignment(line: string, shell: boolean): Assignment | null {
  const m = ASSIGN_RE.exec(line);
  if (!m) return null;
  const key = (m[3] ?? m[5])!;
  const valueStart = m[0].length;
  const rest = line.slice(valueStart);
  const q = rest[0];
  if (q === '"' || q === "'" || q === '`') {
    let i = 1;
    while (i < rest.length && rest[i] !== q) i += rest[i] === '\\' && q !== "'" ? 2 : 1;
    if (i >= rest.length) return null; // unterminated: a multi-line value we do not parse
    const raw = rest.slice(1, i);
    const value = q === "'" ? raw : raw.replace(/\\(["\\`])/g, '$1');
    return { key, start: valueStart + 1, end: valueStart + i, value, quoted: true };
  }
  // Unquoted: up to an inline comment (` #`), trailing blanks trimmed; in
  // shell a word ends at a blank or an operator (`KEY=v && echo ok`).
  const comment = shell ? rest.search(/[\s;&|<>()]/) : rest.search(/\s+#/);
  const raw = (comment >= 0 ? rest.slice(0, comment) : rest).replace(/\s+$/, '');
  return { key, start: valueStart, end: valueStart + raw.length, value: raw, quoted: false };
}

/** Hands out secret names: explicit keys as written, never over another value. */
class Namer {
  private byKey = new Map<string, string>();
  private stored: Readonly<Record<string, string>>;
  readonly found: DetectedSecret[] = [];
  readonly fresh: DetectedSecret[] = [];
  readonly renamed: { from: string; to: string }[] = [];

  constructor(stored: Readonly<Record<string, string>> | undefined) {
    this.stored = stored ?? {};
  }

  /** A key taken from the file: the same key with another value (here or stored) gets a suffix. */
  explicit(rawKey: string, value: string): string {
    return this.assign(toKeyName(rawKey), value);
  }

  /** A token found under an ordinary key (`GH=ghp_…`): the key of an identical value found or stored before, else that key. */
  keyedToken(rawKey: string, value: string): string {
    for (const s of this.found) if (s.value === value) return s.key;
    for (const [k, v] of Object.entries(this.stored)) if (v === value) return this.use(k, value, false);
    return this.explicit(rawKey, value);
  }

  /** A name for a token found without a key: reuses the key of an identical value. */
  generated(base: string, value: string): string {
    for (const s of this.found) if (s.value === value) return s.key;
    for (const [k, v] of Object.entries(this.stored)) if (v === value) return this.use(k, value, false);
    return this.assign(base, value);
  }

  private assign(base: string, value: string): string {
    for (let n = 1; ; n++) {
      const key = n === 1 ? base : `${base}_${n}`;
      const prior = this.byKey.get(key) ?? (Object.hasOwn(this.stored, key) ? this.stored[key] : undefined);
      if (prior === value) return this.use(key, value, false);
      if (prior !== undefined) continue;
      if (n > 1 && !this.renamed.some((r) => r.to === key)) this.renamed.push({ from: base, to: key });
      return this.use(key, value, true);
    }
  }

  private use(key: string, value: string, fresh: boolean): string {
    if (!this.byKey.has(key)) {
      this.byKey.set(key, value);
      this.found.push({ key, value });
      if (fresh) this.fresh.push({ key, value });
    }
    return key;
  }
}

function extensionOf(fileName: string): string {
  const base = path.basename(fileName).toLowerCase();
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1) : '';
}

function redactPem(content: string, namer: Namer): string {
  return content.replace(PEM_RE, (block: string, _a: string, _b: string, offset: number) => {
    const lineStart = content.lastIndexOf('\n', offset - 1) + 1;
    const before = content.slice(lineStart, offset);
    const m = /(["']?)([A-Za-z_][\w.\-]*)\1\s*[:=]\s*["'`|]?\s*$/.exec(before);
    const key = m ? namer.explicit(m[2]!, block) : namer.generated('PRIVATE_KEY', block);
    return redactionMarker(key);
  });
}

/** Provider findings first, named after the key on their line when there is one. */
function applySpans(content: string, spans: readonly ProviderSpan[], namer: Namer, shell: boolean): string {
  if (spans.length === 0) return content;
  const sorted = [...spans].sort((a, b) => a.start - b.start).filter((sp, i, all) => i === 0 || sp.start >= all[i - 1]!.end);
  const named = sorted.map((sp) => {
    const value = content.slice(sp.start, sp.end);
    const lineStart = content.lastIndexOf('\n', sp.start - 1) + 1;
    const lineEnd = content.indexOf('\n', sp.start);
    const a = parseAssignment(content.slice(lineStart, lineEnd < 0 ? undefined : lineEnd), shell);
    // `GH=ghp_…` names the value; `const s = new Stripe("sk_…")` does not.
    const named = a && a.start === sp.start - lineStart && a.end === sp.end - lineStart;
    return { ...sp, key: named ? namer.keyedToken(a.key, value) : namer.generated(sp.name, value) };
  });
  let out = content;
  for (const sp of named.reverse()) out = out.slice(0, sp.start) + redactionMarker(sp.key) + out.slice(sp.end);
  return out;
}

/** YAML block scalars under a secret key (`password: |` and the indented lines after it): the block is the value. */
function redactYamlBlocks(content: string, namer: Namer): string {
  if (!/:[ \t]*[|>][-+]?[ \t]*\r?$/m.test(content)) return content;
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(?:-\s+)?(["']?)([A-Za-z_][\w.-]*)\2:[ \t]*([|>][-+]?)[ \t]*\r?$/.exec(lines[i]!);
    if (!m || !isSecretKey(m[3]!)) continue;
    const indent = m[1]!.length;
    let j = i + 1;
    while (j < lines.length && (lines[j]!.trim() === '' || lines[j]!.search(/\S/) > indent)) j++;
    while (j > i + 1 && lines[j - 1]!.trim() === '') j--;
    if (j === i + 1) continue;
    const body = lines.slice(i + 1, j);
    const pad = Math.min(...body.filter((l) => l.trim()).map((l) => l.search(/\S/)));
    const value = body.map((l) => l.slice(pad).replace(/\r$/, '')).join('\n');
    const key = namer.explicit(m[3]!, value);
    lines.splice(i, j - i, `${lines[i]!.replace(/[|>][-+]?[ \t]*(\r?)$/, (_w, cr: string) => redactionMarker(key) + cr)}`);
  }
  return lines.join('\n');
}

function replaceRange(line: string, start: number, end: number, text: string): string {
  return line.slice(0, start) + text + line.slice(end);
}

/** "key": "value" or key = "value" with a quoted value, anywhere in a line. */
const QUOTED_PAIR_RE = /(?<![\w.-])(["']?)([A-Za-z_][\w.-]{0,63})\1(\s*[:=]\s*)(["'])((?:\\.|(?!\4)[^\\]){0,4096})\4/g;

function redactLine(line: string, namer: Namer, secretFile: boolean, quotedOnly: boolean, shell: boolean): string {
  const a = parseAssignment(line, shell);
  if (a && !isTrivialValue(a.value) && (a.quoted || !quotedOnly)) {
    const urlCreds = new RegExp(URL_PASSWORD_RE.source, 'i').test(a.value);
    // In a secrets file every value counts, except small numbers (ports, counts).
    const fileSays = secretFile && !/^\d{1,5}$/.test(a.value.trim());
    if (isSecretKey(a.key) || fileSays || urlCreds) {
      return replaceRange(line, a.start, a.end, redactionMarker(namer.explicit(a.key, a.value)));
    }
  }
  // Quoted pairs inside a line: one-line JSON ({"password": "x", ...}) and
  // inline tables ({ token = "x" }), where the whole line is no assignment.
  let out = line.replace(QUOTED_PAIR_RE, (whole: string, _q: string, key: string, sep: string, vq: string, value: string) => {
    if (!isSecretKey(key) || isTrivialValue(value) || value.startsWith(MARKER_PREFIX)) return whole;
    return `${_q}${key}${_q}${sep}${vq}${redactionMarker(namer.explicit(key, value))}${vq}`;
  });
  let keyed = 0;
  const nameFor = (base: string, value: string) =>
    a ? namer.keyedToken(keyed++ === 0 ? a.key : `${a.key}_${keyed}`, value) : namer.generated(base, value);
  for (const shape of TOKEN_SHAPES) {
    out = out.replace(shape.re, (token: string) => redactionMarker(nameFor(shape.name, token)));
  }
  out = out.replace(URL_PASSWORD_RE, (whole: string, pw: string) => {
    if (isTrivialValue(pw)) return whole;
    return whole.slice(0, whole.length - pw.length - 1) + redactionMarker(nameFor('URL_PASSWORD', pw)) + '@';
  });
  return out;
}

/**
 * Finds secrets in a file about to be written and replaces each value with a
 * reference to an environment variable in the file's language (`${KEY}` in
 * shell and configs, `os.environ["KEY"]` in Python, `process.env.KEY` in
 * JS/TS; see references.ts). `fileName` decides the file rules and the
 * language (its directory does not matter).
 */
export function redact(fileName: string, content: string, opts: RedactOptions = {}): RedactResult {
  const found = findSecrets(fileName, content, opts);
  return { ...found, content: toReferences(fileName, found.content) };
}

/** redact() without the last step: values replaced by redactionMarker() stand-ins. */
export function findSecrets(fileName: string, content: string, opts: RedactOptions = {}): RedactResult {
  const namer = new Namer(opts.stored);
  const quotedOnly = CODE_EXTENSIONS.has(extensionOf(fileName));
  const secretFile = isSecretFileName(fileName) && !quotedOnly;
  const shell = languageOf(fileName) === 'shell';
  const afterSpans = applySpans(content, opts.spans ?? [], namer, shell);
  const afterPem = redactPem(redactYamlBlocks(afterSpans, namer), namer);
  const pieces = afterPem.split(/(\r?\n)/);
  for (let i = 0; i < pieces.length; i += 2) {
    pieces[i] = redactLine(pieces[i]!, namer, secretFile, quotedOnly, shell);
  }
  return { content: pieces.join(''), secrets: namer.found, fresh: namer.fresh, renamed: namer.renamed };
}
