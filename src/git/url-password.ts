// A sync remote URL must not carry a password: .cs/sync.conf is tracked, so
// `https://user:pass@host/...` would be committed, pushed to every remote and
// clone, and printed in every message that names the remote. The rule lives
// here, pure and without git, so every entry point (-sync remote, -sync
// clone, -adopt --from, the sync.conf writer) and every printer (status,
// messages, -doctor) share it.
import { UserError } from '../lib/errors.js';

/** What a password becomes in anything cs shows. */
export const PASSWORD_MASK = '***';

// Schemes whose authority the WHATWG parser also ends at a backslash.
const SPECIAL = new Set(['http', 'https', 'ws', 'wss', 'ftp', 'file']);

/**
 * Where the password sits in `url`, as character offsets, read the way the
 * WHATWG parser reads an authority (it ends at `/`, `?`, `#`; the userinfo
 * ends at its last `@`; the password starts after the userinfo's first
 * `:`). Null for a URL without `scheme://`, without userinfo, or with a
 * user name only. The span may be empty (`https://bob:@host`).
 */
function passwordSpan(url: string): { start: number; end: number } | null {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (!m) return null;
  const from = m[0].length;
  const rest = url.slice(from);
  const stop = rest.search(SPECIAL.has(m[1]!.toLowerCase()) ? /[/?#\\]/ : /[/?#]/);
  const authority = stop < 0 ? rest : rest.slice(0, stop);
  const at = authority.lastIndexOf('@');
  const colon = authority.indexOf(':');
  if (at < 0 || colon < 0 || colon > at) return null;
  return { start: from + colon + 1, end: from + at };
}

/**
 * The password in a remote URL's userinfo, as written (percent-encoding
 * kept), or null when there is none. `https://bob:pw@host/x.git` and
 * `https://:pw@host` carry one; `https://bob@host`, `ssh://git@host/x`,
 * scp-like `git@host:x.git` (not a URL: the part before `@` is a user
 * name), local paths and `file://` URLs do not; an empty password
 * (`https://bob:@host`) counts as none. Parsed with WHATWG `URL`; a URL it
 * cannot parse (which git may still accept) is read by the same rule by hand.
 */
export function urlPassword(url: string): string | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return null;
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // e.g. ssh://git@host:path (a port that is not a number): read by hand below
  }
  if (parsed) return parsed.password === '' ? null : parsed.password;
  const span = passwordSpan(url);
  return span && span.end > span.start ? url.slice(span.start, span.end) : null;
}

/**
 * Tokens that git hosts accept as the user name alone
 * (`https://<token>@github.com/...`): GitHub's classic and fine-grained
 * tokens (gh[pousr]_, github_pat_), GitLab's (glpat-), Slack's (xox?-); and
 * any long run of token characters with letters and digits in it, which no
 * one picks as a user name.
 */
const TOKEN_USER = /^(?:gh[pousr]_|github_pat_|glpat-|xox[abprs]-)|^(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{32,}$/;

/**
 * The user name of `url`'s userinfo when it is a token (TOKEN_USER) and no
 * password follows it, else null: a credential all the same.
 */
function tokenUser(url: string): string | null {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return null;
  let user: string;
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') return null;
    user = decodeURIComponent(parsed.username);
  } catch {
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#@:]*)@/i.exec(url);
    if (!m) return null;
    user = m[1]!;
  }
  return user !== '' && TOKEN_USER.test(user) ? user : null;
}

/** A credential in `url`: its password (urlPassword), or a token given as the user name (tokenUser); null when neither. */
export function urlCredential(url: string): string | null {
  return urlPassword(url) ?? tokenUser(url);
}

/**
 * `url` as it may be shown: a password in it replaced by `***`
 * (`https://bob:***@host/x.git`); any other URL or path unchanged.
 */
export function maskUrlPassword(url: string): string {
  if (tokenUser(url) !== null) return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, `$1${PASSWORD_MASK}@`);
  if (urlPassword(url) === null) return url;
  const span = passwordSpan(url);
  // The two readings agree on every URL WHATWG parses; if they ever did not, hide the whole userinfo.
  if (!span || span.end <= span.start) return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, `$1${PASSWORD_MASK}@`);
  return url.slice(0, span.start) + PASSWORD_MASK + url.slice(span.end);
}

/** `url` without its password (and the `:` before it; with no user name, without the `@` too): what the user can give instead. */
function withoutPassword(url: string): string {
  if (tokenUser(url) !== null) return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  const span = passwordSpan(url);
  if (!span) return url;
  const noUser = url[span.start - 2] === '/';
  return url.slice(0, span.start - 1) + url.slice(noUser ? span.end + 1 : span.end);
}

/** The fix for a remote URL with a password, for refusals and `cs -doctor`. */
export function urlPasswordFix(url: string): string {
  return `give it without the password (${maskUrlPassword(withoutPassword(url))}) and let git keep the password: git config --global credential.helper store (or your system's helper: osxkeychain, manager, libsecret), or use an ssh URL (git@host:path)`;
}

/**
 * Refuses a sync remote URL that carries a password, or a token as its user name.
 * @param url the URL as the user gave it (or as it would be written to .cs/sync.conf)
 * @throws UserError (exit 1) naming the URL with its password masked as `***`, and how to do without it
 */
export function refuseUrlPassword(url: string): void {
  if (urlCredential(url) === null) return;
  const what = urlPassword(url) !== null ? 'a password' : 'a token as its user name';
  throw new UserError(`refusing remote URL ${maskUrlPassword(url)}: it holds ${what}, which .cs/sync.conf would commit and cs would print`, urlPasswordFix(url));
}
