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

/** Loaded once per process: the HTTP hook endpoint pays for it once, not per Write. */
function secretlint(): Promise<{ lintSource: Lint; rule: unknown }> {
  loaded ??= Promise.all([import('@secretlint/core'), import('@secretlint/secretlint-rule-preset-recommend')]).then(([core, preset]) => ({
    lintSource: core.lintSource,
    rule: preset.creator,
  }));
  return loaded;
}

/**
 * Where the preset finds credentials in `content` (offsets into it). A
 * finding's range is taken from where its value is (`data.KEY`, which the
 * preset's rules report): secretlint 13's AWS rule gives the start of the
 * whole match (`AWS_SECRET_ACCESS_KEY=…`) with the value's length, so the
 * range held the name and only part of the value, and the rest stayed
 * behind. Its value is looked for from that start on, else before it; a
 * finding whose value is not in the text keeps its range.
 */
export async function providerSpans(fileName: string, content: string): Promise<ProviderSpan[]> {
  const { lintSource, rule } = await secretlint();
  const r = await lintSource({
    source: { filePath: fileName, content, contentType: 'text' },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    options: { config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: rule as any }] } },
  });
  return r.messages.map((m) => {
    const [start, end] = valueRange(content, m.range, (m.data as { KEY?: unknown } | undefined)?.KEY);
    return { start, end, name: nameForRule(m.ruleId) };
  });
}

/** The range of `value` nearest `range` in `content` (see providerSpans); `range` when there is no such value. */
export function valueRange(content: string, range: readonly [number, number], value: unknown): [number, number] {
  if (typeof value !== 'string' || value === '' || content.slice(range[0], range[1]) === value) return [range[0], range[1]];
  let at = content.indexOf(value, range[0]);
  if (at < 0) at = content.lastIndexOf(value, range[0]);
  return at < 0 ? [range[0], range[1]] : [at, at + value.length];
}

/** redact() with the preset's findings: the detector used on every captured Write. */
export async function detectAndRedact(fileName: string, content: string, opts: RedactOptions = {}): Promise<RedactResult> {
  const [{ redact }, spans] = await Promise.all([import('./detect.js'), providerSpans(fileName, content)]);
  return redact(fileName, content, { ...opts, spans });
}
