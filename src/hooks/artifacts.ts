// PreToolUse on Write: scripts and configs Claude writes in the workspace are
// redirected into `.cs/artifacts/` (a free name: deploy.sh, deploy_2.sh, …),
// with secrets replaced by markers and the values stored in the keychain.
// An adopted repo's files stay where they are; only secrets are redacted.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFileOr, writeFileAtomic } from '../fsutil.js';
import { withLock } from '../lockfile.js';
import { appendSessionLog } from '../session/log.js';
import { secretsOwner } from '../features/ref.js';
import type { HookInput } from './protocol.js';
import { obj, redirectInput, str } from './protocol.js';
import { isInside, realTarget, type HookSession } from './session.js';

export const TRACKED_EXTENSIONS = new Set(['sh', 'bash', 'zsh', 'py', 'js', 'ts', 'rb', 'pl', 'conf', 'config', 'json', 'yaml', 'yml', 'toml', 'ini', 'env']);
const SECRET_NAME = /(key|secret|password|token|credential|auth|apikey|api_key)/i;

export function isTrackedFile(fileName: string): boolean {
  const base = path.basename(fileName);
  if (base === '.env' || base.endsWith('.env')) return true;
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
  return TRACKED_EXTENSIONS.has(ext) || SECRET_NAME.test(base);
}

export interface ManifestEntry {
  name: string;
  original_path: string;
  captured_at: string;
  sha256: string;
  secrets: string[];
}

export function readManifest(file: string): ManifestEntry[] {
  try {
    const v = JSON.parse(readFileOr(file, '[]')) as unknown;
    return Array.isArray(v) ? (v as ManifestEntry[]) : [];
  } catch {
    return []; // a corrupt manifest is rebuilt from here on; the old one is kept aside
  }
}

/** name, name_2, name_3…: the first not on disk and not in the manifest. */
export function freeName(base: string, taken: (n: string) => boolean): string {
  if (!taken(base)) return base;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const ext = dot > 0 ? base.slice(dot) : '';
  for (let i = 2; ; i++) {
    const candidate = `${stem}_${i}${ext}`;
    if (!taken(candidate)) return candidate;
  }
}

export async function captureWrite(session: HookSession, input: HookInput, env: NodeJS.ProcessEnv, now: Date): Promise<object | null> {
  const toolInput = obj(input, 'tool_input');
  const filePath = toolInput && str(toolInput, 'file_path');
  const content = toolInput && str(toolInput, 'content');
  if (!toolInput || !filePath || content === undefined) return null;
  const p = session.paths;
  const target = realTarget(path.isAbsolute(filePath) ? filePath : path.join(str(input, 'cwd') ?? p.dir, filePath));
  const workspace = fs.realpathSync(p.dir);
  // Outside the workspace, or already inside .cs/: not ours to move.
  if (!isInside(target, workspace) || isInside(target, path.join(workspace, '.cs'))) return null;
  if (!isTrackedFile(target)) return null;

  const { redact } = await import('../secrets/detect.js');
  const manifest = readManifest(p.manifest);
  const known = manifest.flatMap((e) => e.secrets ?? []);
  const result = redact(path.basename(target), content, { existingKeys: known });
  if (result.secrets.length > 0) {
    const { storeSecrets } = await import('../secrets/store.js');
    await storeSecrets(secretsOwner(p.name), result.secrets, env, { notice: (line) => appendSessionLog(p.sessionLog, line, now) });
  }
  const keys = result.secrets.map((s) => s.key);
  const adopted = fs.existsSync(path.join(p.meta, 'adopted'));
  if (adopted) {
    if (keys.length === 0) return null;
    appendSessionLog(p.sessionLog, `secrets redacted in ${path.relative(workspace, target)}: ${keys.join(', ')}`, now);
    return redirectInput({ ...toolInput, content: result.content });
  }

  fs.mkdirSync(p.artifacts, { recursive: true });
  const name = await withLock(path.join(p.local, 'manifest.lock'), () => {
    const entries = readManifest(p.manifest);
    const listed = new Set(entries.map((e) => e.name));
    const chosen = freeName(path.basename(target), (n) => listed.has(n) || fs.existsSync(path.join(p.artifacts, n)));
    entries.push({
      name: chosen,
      original_path: target,
      captured_at: now.toISOString(),
      sha256: createHash('sha256').update(result.content).digest('hex'),
      secrets: keys,
    });
    writeFileAtomic(p.manifest, JSON.stringify(entries, null, 2) + '\n');
    return chosen;
  });
  appendSessionLog(p.sessionLog, `artifact captured: ${name} (from ${path.relative(workspace, target)})${keys.length ? `; secrets stored: ${keys.join(', ')}` : ''}`, now);
  return redirectInput({ ...toolInput, file_path: path.join(p.artifacts, name), content: result.content });
}
