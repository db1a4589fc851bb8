// `npm run bench`: every benchmark prints its ratio against a baseline
// measured in the same run. Targets are printed next to each ratio.
import { benchCli } from './cli.js';
import { benchHooks } from './hooks.js';
import { benchAutosave } from './autosave.js';
import { benchSecrets } from './secrets.js';
import { benchSearch } from './search.js';
import { benchHost } from './host.js';
import { benchStatusLine } from './statusline.js';
import { benchE2e } from './e2e.js';
import { benchLaunch } from './launch.js';
import { benchPhone } from './phone.js';

async function autosaveLines(): Promise<string[]> {
  const r = await benchAutosave();
  const verdict = r.ratio <= 0.5 ? 'ok (target <= 0.5x)' : 'OVER TARGET (<= 0.5x)';
  return [
    `workspace: ${r.files} files, ${(r.bytes / 1e6).toFixed(1)} MB, one file changed, ${r.runs} runs each`,
    `${'naive snapshot (fresh index, add -A)'.padEnd(44)} ${r.naiveMs.toFixed(1).padStart(8)} ms`,
    `${'incremental autosave'.padEnd(44)} ${r.incrementalMs.toFixed(1).padStart(8)} ms  ${r.ratio.toFixed(2).padStart(6)}x naive  ${verdict}`,
  ];
}

const sections: Array<[string, () => Promise<string[]>]> = [
  ['CLI start-up and listing', benchCli],
  ['Hooks', benchHooks],
  ['Autosave (10,000-file workspace)', autosaveLines],
  ['Secrets get', () => benchSecrets()],
  ['Search (300 sessions)', benchSearch],
  ['Hosted sessions (cs tmux server)', benchHost],
  ['Status line', benchStatusLine],
  ['Phone page (cs -serve, headless Chromium, loopback)', benchPhone],
  ['Launch and exit of cs <name> (stand-in Claude; git processes counted)', benchLaunch],
  ['End to end: real Claude Code, offline (CS_BENCH_E2E_ROUNDS)', benchE2e],
];

// CS_BENCH_ONLY=<words>: only the sections whose title contains them (case-insensitive), e.g. "status line".
const only = process.env.CS_BENCH_ONLY?.trim().toLowerCase();
for (const [title, run] of sections) {
  if (only && !title.toLowerCase().includes(only)) continue;
  console.log(`\n== ${title}`);
  for (const line of await run()) console.log(line);
}
