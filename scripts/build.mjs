// Bundles the CLI and the hook handler into dist/. Code splitting keeps the
// entry chunk tiny so `cs -version` and the hooks load only what they use.
import { build } from 'esbuild';
import { bundleOptions } from './esbuild-options.mjs';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// Build beside dist/ and swap on success: a failed build keeps the last good one.
const out = `dist.building-${process.pid}`;
rmSync(out, { recursive: true, force: true });

const entryPoints = { cs: 'src/bin.ts' };
if (existsSync('src/hooks/main.ts')) entryPoints.hook = 'src/hooks/main.ts';
// The Node steps of a hosted session's supervisor (src/host/supervisor.ts).
if (existsSync('src/host/main.ts')) entryPoints.host = 'src/host/main.ts';
// The worker -ls takes stamps ahead on (src/session/stamps-ahead.ts).
entryPoints['stamp-worker'] = 'src/session/stamp-worker.ts';

try {
  await build({
    ...bundleOptions,
    entryPoints,
    outdir: out,
    chunkNames: 'chunks/[name]-[hash]',
    define: { __CS_VERSION__: JSON.stringify(pkg.version) },
  });
} catch (e) {
  rmSync(out, { recursive: true, force: true });
  throw e;
}

// dist/hook.sh, the sh every hooks/ script sources, is written from the
// TypeScript that owns its facts (src/hooks/shlib.ts): bundled to a module,
// run once, then dropped.
try {
  const gen = `${out}/shlib-${process.pid}.mjs`;
  await build({ ...bundleOptions, splitting: false, entryPoints: ['src/hooks/shlib.ts'], outfile: gen, outdir: undefined });
  const { hookSh, HOOK_SH } = await import(pathToFileURL(gen).href);
  rmSync(gen);
  writeFileSync(`${out}/${HOOK_SH}`, hookSh());
} catch (e) {
  rmSync(out, { recursive: true, force: true });
  throw e;
}

for (const name of Object.keys(entryPoints)) {
  const file = `${out}/${name}.js`;
  const text = readFileSync(file, 'utf8');
  if (!text.startsWith('#!')) writeFileSync(file, '#!/usr/bin/env node\n' + text);
  chmodSync(file, 0o755);
}

const old = `dist.old-${process.pid}`;
if (existsSync('dist')) renameSync('dist', old);
renameSync(out, 'dist');
rmSync(old, { recursive: true, force: true });
