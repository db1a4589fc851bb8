// The esbuild settings every bundle of cs shares (the build, and benchmarks
// that bundle a single command the same way).
export const bundleOptions = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Native (a prebuilt binary per platform): loaded lazily from node_modules.
  external: ['@napi-rs/keyring'],
  // Some dependencies are CommonJS and call require(); give ESM chunks one.
  banner: { js: "import { createRequire as __csCreateRequire } from 'node:module'; const require = __csCreateRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
};
