// Where our own files (templates, hooks, commands) live: the package root,
// found by walking up from this module. Works from src/ under tsx and from
// the bundled dist/ alike.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'templates'))) return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the cs package root (package.json beside templates/)');
    dir = parent;
  }
}

declare const __CS_VERSION__: string | undefined;

export function version(): string {
  if (typeof __CS_VERSION__ === 'string') return __CS_VERSION__;
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
