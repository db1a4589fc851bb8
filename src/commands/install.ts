// `cs -install`: register cs with Claude Code for this user — hooks in
// settings.json, slash commands, the skill, shell completions — from the
// package this `cs` runs from. The one installer for both ways in: an npm
// install (`npm i -g claude-sessions`, then `cs -install`) and a clone
// (`npm ci && npm run setup`, which runs this command from the fresh build).
import * as path from 'node:path';
import type { IO } from '../term/io.js';
import { install, type InstallOptions, type InstallReport } from '../install/install.js';
import { packageRoot } from '../lib/package-root.js';
import type { Command, Context } from './types.js';

export interface InstallCommandOptions {
  /** Where the package is: the directory holding package.json and dist/. */
  root: string;
}

export function parse(): InstallCommandOptions {
  return { root: packageRoot() };
}

/**
 * How a package at `root` is installed: in place when npm put it in a
 * node_modules folder that stays (`npm i -g`: updates through npm then reach
 * the hooks too); copied into cs's data dir with `cs` linked onto PATH for a
 * clone, and for npx, whose cache may be cleaned at any time.
 */
export function layoutFor(root: string): InstallOptions['layout'] {
  const parts = path.resolve(root).split(path.sep);
  return parts.includes('node_modules') && !parts.includes('_npx') ? 'in-place' : 'copy';
}

/** The installer's report, one line per step, on stderr. */
export function printReport(io: IO, r: InstallReport): void {
  const c = io.color;
  io.err(`${c.green('✓')} cs ${r.version} installed ${r.linked.length ? `in ${r.versionDir}` : `from ${r.versionDir}`}`);
  for (const l of r.linked) io.err(`${c.green('✓')} linked ${l}`);
  if (r.skippedCs) {
    io.err(c.yellow(`! another 'cs' is on your PATH (${r.skippedCs}); left it alone — use 'claude-sessions' for this one`));
  }
  for (const f of r.skipped) io.err(c.yellow(`! ${f} is yours (cs did not create it): left it alone, so that cs file is not installed`));
  io.err(r.settingsChanged ? `${c.green('✓')} hooks registered in Claude Code settings${r.settingsBackup ? ` (backup: ${r.settingsBackup})` : ''}` : `${c.green('✓')} Claude Code settings already up to date`);
  // Where each shell's completion went, so the hint below (if any) has something to point at.
  if (r.completions.length) io.err(`${c.green('✓')} shell completions in ${r.completions.join(', ')}`);
  if (r.pluginOff) io.err(c.yellow(`! cs's hooks plugin is switched off in Claude Code (/plugin): left off, so a Claude started outside cs runs without its hooks; \`cs <name>\` still brings them`));
  for (const h of r.completionHints) io.err(c.yellow(`! ${h}`));
  if (r.pathHint) io.err(c.yellow(`! add this to your shell profile to put cs on PATH:\n    ${r.pathHint}`));
}

export async function run(opts: InstallCommandOptions, ctx: Context): Promise<number> {
  const report = install(opts.root, ctx.env, ctx.now(), undefined, { layout: layoutFor(opts.root) });
  printReport(ctx.io, report);
  return 0;
}

export const command: Command<InstallCommandOptions> = { parse, run };
