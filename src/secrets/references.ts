// How a captured file refers to a secret it no longer holds, per language,
// so the file Claude wrote still runs once the variable is set (issue #18):
//   shell            ${KEY}              (inside '…' it closes the quote: '"${KEY}"')
//   Python           os.environ["KEY"]   (+ `import os` when the file lacks it)
//   JavaScript/TS    process.env.KEY
//   Ruby             ENV["KEY"]
//   Perl             $ENV{KEY}
//   anything else    ${KEY}              (a placeholder in .env, ini, yaml, json, toml)
// A value that was a whole string literal becomes the expression; a value
// inside a longer literal is spliced in (`"Bearer " + process.env.KEY + ""`).
// render() is the way back: the text with every reference filled in.
import * as path from 'node:path';

export type Language = 'shell' | 'python' | 'js' | 'ruby' | 'perl' | 'config';

const BY_EXTENSION: Record<string, Language> = {
  sh: 'shell', bash: 'shell', zsh: 'shell', ksh: 'shell',
  py: 'python',
  js: 'js', mjs: 'js', cjs: 'js', jsx: 'js', ts: 'js', mts: 'js', cts: 'js', tsx: 'js',
  rb: 'ruby',
  pl: 'perl', pm: 'perl',
};

/** The reference language of a file, from its extension; unknown ones are configs. */
export function languageOf(fileName: string): Language {
  const base = path.basename(fileName).toLowerCase();
  const dot = base.lastIndexOf('.');
  return (dot > 0 && BY_EXTENSION[base.slice(dot + 1)]) || 'config';
}

// Must match detect.ts's redactionMarker(): NUL, "cs-secret:", key, NUL.
const MARKER_RE = /\u0000cs-secret:([A-Za-z_][A-Za-z0-9_]*)\u0000/g;

/** The expression that reads KEY from the environment in `lang`. */
export function envExpression(lang: Language, key: string): string {
  switch (lang) {
    case 'python':
      return `os.environ["${key}"]`;
    case 'js':
      return `process.env.${key}`;
    case 'ruby':
      return `ENV["${key}"]`;
    case 'perl':
      return `$ENV{${key}}`;
    default:
      return `\${${key}}`;
  }
}

/** The quote open at `offset` of `line` ('"', "'", '`'), or '' outside strings; `#`/`//` comments count as outside. */
function quoteAt(line: string, offset: number, lang: Language): string {
  let q = '';
  for (let i = 0; i < offset; i++) {
    const c = line[i]!;
    if (q) {
      if (c === '\\' && !(lang === 'shell' && q === "'")) i++;
      else if (c === q) q = '';
    } else if (c === '"' || c === "'" || (c === '`' && lang === 'js')) q = c;
    else if (c === '#' && lang !== 'js' && (i === 0 || /\s/.test(line[i - 1]!))) return '';
  }
  return q;
}

/** One line: each marker becomes the language's reference, fitted to the string it stands in. */
function referLine(line: string, lang: Language): string {
  let out = '';
  let last = 0;
  for (const m of line.matchAll(MARKER_RE)) {
    const at = m.index!;
    const key = m[1]!;
    const end = at + m[0].length;
    const q = lang === 'config' ? '' : quoteAt(line, at, lang);
    const expr = envExpression(lang, key);
    const whole = q !== '' && line[at - 1] === q && line[end] === q;
    if (lang === 'config' || q === '') {
      out += line.slice(last, at) + expr;
      last = end;
    } else if (lang === 'shell' && q === '"') {
      out += line.slice(last, at) + expr;
      last = end;
    } else if (lang === 'shell') {
      // Single quotes do not expand: a whole '…' becomes "${KEY}", a part closes and reopens them.
      out += whole ? line.slice(last, at - 1) + `"${expr}"` : line.slice(last, at) + `'"${expr}"'`;
      last = whole ? end + 1 : end;
    } else if (whole) {
      out += line.slice(last, at - 1) + expr;
      last = end + 1;
    } else if (q === '`') {
      out += line.slice(last, at) + `\${${expr}}`;
      last = end;
    } else if (lang === 'ruby' && q === '"') {
      out += line.slice(last, at) + `#{${expr}}`;
      last = end;
    } else if (lang === 'perl' && q === '"') {
      out += line.slice(last, at) + expr;
      last = end;
    } else {
      const join = lang === 'perl' ? '.' : '+';
      out += line.slice(last, at) + `${q} ${join} ${expr} ${join} ${q}`;
      last = end;
    }
  }
  return last === 0 ? line : out + line.slice(last);
}

/** Puts `import os` after a shebang, encoding line and `from __future__` imports, unless os is imported. */
function ensurePythonOs(content: string): string {
  if (/^\s*import\s+(?:[\w.]+\s*,\s*)*os\s*(?:,|#|$)/m.test(content)) return content;
  const lines = content.split('\n');
  let at = 0;
  while (at < lines.length && (/^#!|^#.*coding[:=]/.test(lines[at]!) || /^from __future__ import/.test(lines[at]!))) at++;
  lines.splice(at, 0, 'import os');
  return lines.join('\n');
}

/** Replaces redact()'s stand-ins in `content` with references in the file's language. */
export function toReferences(fileName: string, content: string): string {
  if (!content.includes('\u0000cs-secret:')) return content;
  const lang = languageOf(fileName);
  const out = content.split('\n').map((l) => referLine(l, lang)).join('\n');
  return lang === 'python' ? ensurePythonOs(out) : out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A value as a string literal of `lang` (for references that replaced a whole literal). */
function literal(lang: Language, value: string): string {
  if (lang === 'perl' || lang === 'ruby') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return JSON.stringify(value);
}

/**
 * The text of a captured file with each reference to one of `secrets`
 * (key -> value) replaced by the value: what the file said before capture,
 * give or take quoting. Keys not in `secrets` are left as written.
 */
export function render(fileName: string, content: string, secrets: Readonly<Record<string, string>>): string {
  const lang = languageOf(fileName);
  let out = content;
  for (const [key, value] of Object.entries(secrets)) {
    const expr = escapeRe(envExpression(lang, key));
    if (lang === 'config' || lang === 'shell') {
      out = out.replace(new RegExp(`'"${expr}"'`, 'g'), () => value).replace(new RegExp(expr, 'g'), () => value);
      continue;
    }
    // Spliced forms first ("a" + X + "b", `${X}`, #{X}), then bare expressions.
    out = out
      .replace(new RegExp(`(["'])\\s*[+.]\\s*${expr}\\s*[+.]\\s*\\1`, 'g'), () => value)
      .replace(new RegExp(`\\$\\{${expr}\\}|#\\{${expr}\\}`, 'g'), () => value)
      .replace(new RegExp(`(?<![\\w.$])${expr}(?![\\w])`, 'g'), () => (lang === 'perl' ? value : literal(lang, value)));
  }
  return out;
}
