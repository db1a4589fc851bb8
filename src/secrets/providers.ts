// Provider credential formats from secretlint's recommended preset
// (@secretlint/core + @secretlint/secretlint-rule-preset-recommend): GitHub,
// AWS, GCP, Slack, Stripe, npm, OpenAI, Anthropic, private keys, basic auth
// in URLs and more, maintained upstream instead of by us. Its findings are
// handed to redact() as spans; the key-name rules and our own shapes
// (JWT, Bearer, YAML blocks) still run after it.
import type { ProviderSpan, RedactOptions, RedactResult } from './detect.js';

/** Secret names for the preset's rules (the part after `secretlint-rule-`); others become `<RULE>_SECRET`. */
const NAMES: Record<string, string> = {
  github: 'GITHUB_TOKEN',
  npm: 'NPM_TOKEN',
  stripe: 'STRIPE_SECRET_KEY',
  slack: 'SLACK_TOKEN',
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  aws: 'AWS_SECRET',
  gcp: 'GCP_KEY',
  privatekey: 'PRIVATE_KEY',
  basicauth: 'URL_PASSWORD',
  'database-connection-string': 'DATABASE_URL',
  sendgrid: 'SENDGRID_API_KEY',
  shopify: 'SHOPIFY_TOKEN',
  linear: 'LINEAR_API_KEY',
  '1password': 'OP_SERVICE_ACCOUNT_TOKEN',
  'azure': 'AZURE_SECRET',
};

export function nameForRule(ruleId: string): string {
  const short = ruleId.replace(/^.*secretlint-rule-/, '');
  return NAMES[short] ?? `${short.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_SECRET`;
}

type Lint = typeof import('@secretlint/core').lintSource;
let loaded: Promise<{ lintSource: Lint; rule: unknown }> | undefined;

/**
 * Loaded once per process: the HTTP hook endpoint pays for it once, not per Write.
 * secretlint's profiler is on unless switched off: each lint left some 60
 * performance marks in the process for good (about 11 KB, and Node's
 * "Possible perf_hooks memory leak" warning on stderr past a million marks:
 * in the long-lived hook endpoint and resident, a leak per scan), and it
 * matched every mark's name, which holds the file name, with a regex that is
 * quadratic in it (a Write of a 1 MB name took minutes).
 */
function secretlint(): Promise<{ lintSource: Lint; rule: unknown }> {
  loaded ??= Promise.all([import('@secretlint/core'), import('@secretlint/secretlint-rule-preset-recommend'), import('@secretlint/profiler')]).then(([core, preset, profiler]) => {
    profiler.secretLintProfiler.setEnabled(false);
    return { lintSource: core.lintSource, rule: preset.creator };
  });
  return loaded;
}

/**
 * Where the preset finds credentials in `content` (offsets into it). A
 * finding's range is taken from where its value is (the strings of its
 * `data`: KEY, TOKEN, CREDENTIAL… as each rule names it): secretlint 13's
 * AWS rule and its two npm rules (.npmrc `_authToken=`, a package.json git
 * URL) give the start of the whole match with the value's length, so the
 * range held the name and only part of the value, and the rest stayed
 * behind. A value is looked for from that start on, else before it; a
 * finding whose range already is one of its values, or none of whose
 * values is in the text, keeps its range.
 */
export async function providerSpans(fileName: string, content: string): Promise<ProviderSpan[]> {
  const { lintSource, rule } = await secretlint();
  const r = await lintSource({
    source: { filePath: fileName, content, contentType: 'text' },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    options: { config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: rule as any }] } },
  });
  return r.messages.map((m) => {
    const values = Object.values((m.data ?? {}) as Record<string, unknown>).filter((v): v is string => typeof v === 'string' && v !== '');
    const [start, end] = valueRange(content, m.range, values);
    return { start, end, name: nameForRule(m.ruleId) };
  });
}

/** The range of the first of `values` found nearest `range` in `content` (see providerSpans); `range` when it holds one of them already, or none is found. */
export function valueRange(content: string, range: readonly [number, number], values: readonly string[]): [number, number] {
  const shown = content.slice(range[0], range[1]);
  if (values.length === 0 || values.includes(shown)) return [range[0], range[1]];
  for (const value of values) {
    let at = content.indexOf(value, range[0]);
    if (at < 0) at = content.lastIndexOf(value, range[0]);
    if (at >= 0) return [at, at + value.length];
  }
  return [range[0], range[1]];
}

/** redact() with the preset's findings: the detector used on every captured Write. */
export async function detectAndRedact(fileName: string, content: string, opts: RedactOptions = {}): Promise<RedactResult> {
  const [{ redact }, spans] = await Promise.all([import('./detect.js'), providerSpans(fileName, content)]);
  return redact(fileName, content, { ...opts, spans });
}
