// Pure pieces of hosting: when cs hosts, the shell words the supervisor
// evaluates (run through a real sh), how an exit status reads, tmux names.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hostingMode } from '../../../src/host/open.js';
import { launchWords } from '../../../src/host/main.js';
import { describeStatus, lastLines } from '../../../src/host/postmortem.js';
import { target, tmuxSessionName, TMUX_CONF } from '../../../src/host/tmux.js';

describe('hostingMode', () => {
  const base = { env: {}, stdinTTY: true, stdoutTTY: true, tmux: () => true };
  it.each([
    ['a terminal and tmux', {}, 'hosted', undefined],
    ['--foreground', { foreground: true }, 'foreground', undefined],
    ['CS_HOST=foreground', { env: { CS_HOST: 'foreground' } }, 'foreground', undefined],
    ['stdin not a terminal', { stdinTTY: false }, 'foreground', undefined],
    ['stdout not a terminal', { stdoutTTY: false }, 'foreground', undefined],
    ['no tmux', { tmux: () => false }, 'foreground', /tmux not found: Claude runs in this terminal/],
  ] as const)('%s → %s', (_what, over, mode, notice) => {
    const m = hostingMode({ ...base, ...over } as Parameters<typeof hostingMode>[0]);
    expect(m.mode).toBe(mode);
    if (notice) expect(m.mode === 'foreground' && m.notice).toMatch(notice);
    else expect('notice' in m && m.notice).toBeFalsy();
  });

  it('does not look for tmux when it would not host anyway', () => {
    let asked = 0;
    hostingMode({ ...base, stdinTTY: false, tmux: () => (asked++, true) });
    hostingMode({ ...base, foreground: true, tmux: () => (asked++, true) });
    expect(asked).toBe(0);
  });
});

describe('launchWords (evaluated by a real sh)', () => {
  it('gives exactly the requested environment and argv, keeps the pane-owned variables, unsets the rest', () => {
    const env = { KEEP: 'plain', TRICKY: `it's "quoted" $HOME \`x\` \\ ;\nnext line`, EMPTY: '', TERM: 'from-the-caller', 'BAD-NAME': 'x' };
    const current = { STALE: 'old', TERM: 'tmux-256color', TMUX: '/s,1,0', PATH: process.env.PATH };
    const argv = ['printf', '%s|', "a b", "it's", '$HOME', ''];
    const words = launchWords({ ...env, PATH: process.env.PATH! }, current, argv);
    const script = `${words}\n"$@"; echo; printf '%s=%s\\n' KEEP "$KEEP" TERM "$TERM" TMUX "$TMUX" STALE "\${STALE-unset}" EMPTY "\${EMPTY-unset}"; printf '%s' "$TRICKY"`;
    const out = execFileSync('sh', ['-c', script], { env: current, encoding: 'utf8' });
    const [printed, rest] = [out.slice(0, out.indexOf('\n')), out.slice(out.indexOf('\n') + 1)];
    expect(printed).toBe("a b|it's|$HOME||");
    expect(rest).toBe(`KEEP=plain\nTERM=tmux-256color\nTMUX=/s,1,0\nSTALE=unset\nEMPTY=\n${env.TRICKY}`);
  });
});

describe('postmortem text', () => {
  it.each([
    [137, 'signal KILL (status 137)'],
    [143, 'signal TERM (status 143)'],
    [1, 'status 1'],
    [null, 'unknown status'],
  ] as const)('%s reads as %s', (status, text) => expect(describeStatus(status)).toBe(text));

  it('keeps the last lines, without the blank tail of a screen', () => {
    const text = Array.from({ length: 250 }, (_, i) => `line ${i}`).join('\n') + '\n\n\n   \n';
    const last = lastLines(text, 200).split('\n');
    expect(last).toHaveLength(200);
    expect(last[0]).toBe('line 50');
    expect(last.at(-1)).toBe('line 249');
  });
});

describe("cs's tmux", () => {
  it('names sessions reversibly and targets them exactly', () => {
    expect(tmuxSessionName('api.v2')).toBe('api~v2');
    expect(tmuxSessionName('api_v2')).toBe('api_v2');
    expect(target('api.v2')).toBe('=api~v2:');
  });

  it('has no prefix, no status bar and Ctrl-\\ to detach', () => {
    expect(TMUX_CONF).toMatch(/^set -g prefix None$/m);
    expect(TMUX_CONF).toMatch(/^set -g status off$/m);
    expect(TMUX_CONF).toMatch(/^bind -n 'C-\\' detach-client$/m);
  });
});
