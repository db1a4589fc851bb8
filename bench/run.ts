// `npm run bench`: every benchmark prints its ratio against a baseline
// measured in the same run. Targets are printed next to each ratio.
import { benchCli } from './cli.js';
import { benchHooks } from './hooks.js';

const sections: Array<[string, () => Promise<string[]>]> = [
  ['CLI start-up and listing', benchCli],
  ['Hooks', benchHooks],
];

for (const [title, run] of sections) {
  console.log(`\n== ${title}`);
  for (const line of await run()) console.log(line);
}
