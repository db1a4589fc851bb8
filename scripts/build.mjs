// Bundles the CLI and the hook handler into dist/. Code splitting keeps the
// entry chunk tiny so `cs -version` and the hooks load only what they use.
import { build } from 'esbuild';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync('dist', { recursive: true, force: true });

const entryPoints = { cs: 'src/bin.ts' };
if (existsSync('src/hooks/main.ts')) entryPoints.hook = 'src/hooks/main.ts';

await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['keytar'],
  chunkNames: 'chunks/[name]-[hash]',
  define: { __CS_VERSION__: JSON.stringify(pkg.version) },
  // Some dependencies are CommonJS and call require(); give ESM chunks one.
  banner: { js: "import { createRequire as __csCreateRequire } from 'node:module'; const require = __csCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});

for (const name of Object.keys(entryPoints)) {
  const file = `dist/${name}.js`;
  const text = readFileSync(file, 'utf8');
  if (!text.startsWith('#!')) writeFileSync(file, '#!/usr/bin/env node\n' + text);
  chmodSync(file, 0o755);
}
