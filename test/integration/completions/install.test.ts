// The installer's completion step, against a temp home: one script per shell
// on PATH in that shell's per-user place, unchanged by a second install,
// only for claude-sessions when another `cs` owns the name, and removed by
// `cs -uninstall`.
import { lacks } from '../../support/tools.js';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { install, readState } from '../../../src/install/install.js';
import { BASH_COMPLETION_LOADERS, completionHints } from '../../../src/completions/install.js';
import { completionModel } from '../../../src/completions/model.js';
import { completionScript } from '../../../src/completions/shells.js';
import type { HookRegistration } from '../../../src/hooks/registry.js';
import { repoRoot, runCs, sandbox, type Sandbox } from '../../support/cs.js';

const regs: HookRegistration[] = [{ event: 'Stop', script: 'stop' }];
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

let sb: Sandbox;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  sb = sandbox();
  env = {
    ...sb.env,
    CS_DATA_DIR: path.join(sb.home, '.local/share/cs'),
    CS_BIN_DIR: path.join(sb.home, '.local/bin'),
    XDG_CONFIG_HOME: path.join(sb.home, '.config'),
    XDG_DATA_HOME: path.join(sb.home, '.local/share'),
  };
});
afterEach(() => sb.cleanup());

const places = (home: string) => ({
  bash: [path.join(home, '.local/share/bash-completion/completions/cs'), path.join(home, '.local/share/bash-completion/completions/claude-sessions')],
  zsh: [path.join(home, '.zsh/completions/_cs')],
  fish: [path.join(home, '.config/fish/completions/cs.fish'), path.join(home, '.config/fish/completions/claude-sessions.fish')],
  pwsh: [path.join(home, '.config/powershell/completions/cs.ps1')],
});

describe('install: shell completions', () => {
  it('writes a script for each shell on PATH, records it, changes nothing the second time, and uninstall removes it', async () => {
    const r = install(repoRoot, env, new Date(), regs);
    const p = places(sb.home);
    const expected = [...(has('bash') ? p.bash : []), ...(has('zsh') ? p.zsh : []), ...(has('fish') ? p.fish : []), ...(has('pwsh') ? p.pwsh : [])];
    expect(r.completions.sort()).toEqual(expected.sort());
    for (const f of expected) expect(readState(env)!.placedFiles).toContain(f);
    if (has('zsh')) expect(fs.readFileSync(p.zsh[0]!, 'utf8')).toBe(completionScript('zsh', completionModel()));
    if (has('bash')) expect(fs.readFileSync(p.bash[1]!, 'utf8')).toContain('complete -F _cs claude-sessions\n');

    const stamp = () => expected.map((f) => `${f} ${fs.statSync(f).mtimeMs} ${fs.statSync(f).ino}`).join('\n');
    const before = stamp();
    install(repoRoot, env, new Date(), regs);
    expect(stamp()).toBe(before);

    const un = await runCs(['-uninstall'], { env });
    expect(un.code, un.stderr).toBe(0);
    for (const f of expected) expect(fs.existsSync(f), f).toBe(false);
  });

  it('completes only claude-sessions when another cs owns the name', () => {
    const other = path.join(sb.dir, 'other-bin');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'cs'), '#!/bin/sh\necho claude-squad\n', { mode: 0o755 });
    const r = install(repoRoot, { ...env, PATH: `${other}:${env.PATH}` }, new Date(), regs);
    expect(r.skippedCs).toBe(path.join(other, 'cs'));
    const p = places(sb.home);
    if (has('bash')) {
      expect(fs.existsSync(p.bash[0]!)).toBe(false);
      expect(fs.readFileSync(p.bash[1]!, 'utf8')).toMatch(/complete -F _cs claude-sessions\n/);
    }
    if (has('zsh')) expect(fs.readFileSync(p.zsh[0]!, 'utf8')).toMatch(/^#compdef claude-sessions\n/);
    if (has('fish')) {
      expect(fs.existsSync(p.fish[0]!)).toBe(false);
      expect(fs.readFileSync(p.fish[1]!, 'utf8')).not.toMatch(/complete -c cs /);
    }
  });

  it.skipIf(lacks(has('fish')))('fish loads the installed file by itself', () => {
    install(repoRoot, env, new Date(), regs);
    fs.mkdirSync(path.join(sb.root, 'api', '.cs'), { recursive: true });
    // No `source`: for a command on PATH, fish loads completions/cs.fish under XDG_CONFIG_HOME itself.
    const out = execFileSync('fish', ['-c', 'complete -C "cs api -sync pu"'], { env: { ...env, PATH: `${env.CS_BIN_DIR}:${env.PATH}` }, cwd: sb.dir, encoding: 'utf8', timeout: 10_000 });
    expect(out.split('\n').filter(Boolean).map((l) => l.split('\t')[0]).sort()).toEqual(['pull', 'push']);
  });

  // A hint is only worth printing if doing what it says makes the shell complete cs.
  const hintLine = (stderr: string, shell: string) => stderr.split('\n').find((l) => l.startsWith(`! ${shell}`));
  const toPaste = (hint: string) => hint.slice(hint.indexOf(': ') + 2);

  it.skipIf(lacks(has('zsh')))('says what ~/.zshrc needs for zsh to load the script, and zsh completes cs once it has it', async () => {
    env.SHELL = '/bin/zsh';
    const zshrc = path.join(sb.home, '.zshrc');
    fs.writeFileSync(zshrc, 'PS1="%% "\n');
    const comps = () => execFileSync('zsh', ['-i', '-c', 'print -r -- "comp=${_comps[cs]-}"'], { env, cwd: sb.dir, encoding: 'utf8', timeout: 10_000 }).trim().split('\n').pop();
    const r = await runCs(['-install'], { env });
    expect(r.code, r.stderr).toBe(0);
    const hint = hintLine(r.stderr, 'zsh');
    expect(hint).toBe("! zsh loads cs's completions once ~/.zshrc has: fpath=(~/.zsh/completions $fpath); autoload -Uz compinit && compinit");
    // Where they went, said before what the shell still needs.
    expect(r.stderr).toMatch(new RegExp(`✓ shell completions in .*${path.join(sb.home, '.zsh', 'completions', '_cs').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(comps()).toBe('comp=');
    fs.appendFileSync(zshrc, toPaste(hint!) + '\n');
    expect(comps()).toBe('comp=_cs');
    const again = await runCs(['-install'], { env });
    expect(hintLine(again.stderr, 'zsh')).toBeUndefined();
    // A .zshrc that runs compinit itself is told to put the folder on fpath before it.
    fs.writeFileSync(zshrc, 'autoload -Uz compinit\ncompinit\n');
    expect(completionHints(env, [path.join(sb.home, '.zsh/completions/_cs')])).toEqual(["zsh loads cs's completions once ~/.zshrc has, before compinit runs: fpath=(~/.zsh/completions $fpath)"]);
    // Nor does a bash user hear about zsh.
    expect(completionHints({ ...env, SHELL: '/bin/bash' }, [path.join(sb.home, '.zsh/completions/_cs')])).toEqual([]);
  });

  it.skipIf(lacks(has('bash')))('without bash-completion, says what ~/.bashrc needs, and bash completes cs once it has it', async () => {
    env.SHELL = '/bin/bash';
    const bashFile = path.join(sb.home, '.local/share/bash-completion/completions/cs');
    // Where bash-completion is installed it loads the folder itself: no line.
    expect(completionHints(env, [bashFile], () => true)).toEqual([]);
    const loader = BASH_COMPLETION_LOADERS.some((f) => fs.existsSync(f));
    const r = await runCs(['-install'], { env });
    expect(r.code, r.stderr).toBe(0);
    const hint = hintLine(r.stderr, 'bash-completion');
    if (loader) return expect(hint).toBeUndefined();
    expect(hint).toBe("! bash-completion is not installed, so bash loads cs's completions once ~/.bashrc has: [ -r ~/.local/share/bash-completion/completions/cs ] && . ~/.local/share/bash-completion/completions/cs");
    const spec = () => spawnSync('bash', ['-i', '-c', 'complete -p cs'], { env, cwd: sb.dir, encoding: 'utf8', timeout: 10_000 }).stdout.trim();
    expect(spec()).toBe('');
    fs.appendFileSync(path.join(sb.home, '.bashrc'), toPaste(hint!) + '\n');
    expect(spec()).toBe('complete -F _cs cs');
    const again = await runCs(['-install'], { env });
    expect(hintLine(again.stderr, 'bash-completion')).toBeUndefined();
  });
});
