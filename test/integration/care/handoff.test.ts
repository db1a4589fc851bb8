// Handoff before the context fills: the nudge (Stop hook) fires once per
// conversation at 80 %, from status-line data or from the transcript; a
// handoff Write is redacted; cs <s> --new offers the latest unused handoff.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextUsed, handoffName, lastContextTokens, nudge } from '../../../src/handoff/handoff.js';
import { claudeStarts, runCs } from '../../support/cs.js';
import { hookSandbox, payload, runHookScript, type HookSandbox } from '../../support/hooks.js';

const CONV = '3389759f-023f-48fb-a0ed-21abe8b8c5bf'; // the session_id of payload()
let sb: HookSandbox;
beforeEach(async () => {
  sb = await hookSandbox('care');
});
afterEach(() => sb.cleanup());

/** The status line's record (what hooks/statusline writes), `ageS` seconds before `now` (default: the clock). */
function statusData(pct: number | null, opts: { id?: string; ageS?: number; size?: number; now?: Date } = {}): void {
  const at = Math.floor((opts.now ?? new Date()).getTime() / 1000) - (opts.ageS ?? 5);
  fs.writeFileSync(
    path.join(sb.session.local, 'statusline.json'),
    JSON.stringify({ at, session_id: opts.id ?? CONV, context_pct: pct, context_size: opts.size ?? 200000, five_hour_pct: null, five_hour_resets_at: null, seven_day_pct: null, seven_day_resets_at: null }) + '\n',
  );
}

function transcript(tokens: number): string {
  const file = path.join(sb.dir, 't.jsonl');
  const line = (u: object, extra: object = {}) => JSON.stringify({ type: 'assistant', timestamp: new Date().toISOString(), message: { id: 'm', usage: u }, ...extra });
  fs.writeFileSync(file, [line({ input_tokens: 5, cache_read_input_tokens: 10 }), line({ input_tokens: 1 }, { isSidechain: true }), line({ input_tokens: tokens - 300, cache_creation_input_tokens: 100, cache_read_input_tokens: 200, output_tokens: 999 }), '{"type":"user","message":{"content":"x"}}', ''].join('\n'));
  return file;
}

describe('context reading and the nudge', () => {
  it('names handoffs by UTC time', () => expect(handoffName(new Date('2026-11-30T02:03:04.567Z'))).toBe('20261130-020304.md'));

  it('reads the last main-chain request of a transcript: input + cache write + cache read', () => {
    expect(lastContextTokens(transcript(150_000))).toBe(150_000);
    expect(lastContextTokens(path.join(sb.dir, 'missing.jsonl'))).toBeNull();
  });

  it('prefers fresh status-line data about this conversation, else computes from the transcript', () => {
    const now = new Date();
    const t = transcript(170_000);
    statusData(42, { now });
    expect(contextUsed(sb.session.dir, CONV, t, now)).toEqual({ pct: 42, source: 'statusline' });
    statusData(42, { ageS: 3600, now }); // stale
    expect(contextUsed(sb.session.dir, CONV, t, now)).toEqual({ pct: 85, source: 'transcript' });
    statusData(42, { id: 'other', size: 1_000_000, now }); // another conversation; its window size still counts
    expect(contextUsed(sb.session.dir, CONV, t, now)).toEqual({ pct: 17, source: 'transcript' });
  });

  it('fires once per conversation at 80 %, not below', async () => {
    // One fixed time for the readings and the nudge: the record's age is then
    // what the test says, whatever the machine's clock reads.
    const now = new Date('2026-11-30T02:03:04Z');
    statusData(79.9, { now });
    expect(await nudge(sb.session.dir, CONV, undefined, now)).toBeNull();
    statusData(80, { now });
    const n = await nudge(sb.session.dir, CONV, undefined, now);
    expect(n).not.toBeNull();
    expect(n!.file).toBe('.cs/handoffs/20261130-020304.md');
    expect(n!.reason).toContain(`write a handoff to ${n!.file}`);
    expect(n!.reason).toMatch(/## Goal[\s\S]*## State[\s\S]*## Facts[\s\S]*## Next step/);
    statusData(95, { now });
    expect(await nudge(sb.session.dir, CONV, undefined, now)).toBeNull();
    // The first answer's line reaching the transcript late still counts (the hook waits a moment).
    const late = path.join(sb.dir, 'late.jsonl');
    fs.writeFileSync(late, '{"type":"user","message":{"content":"x"}}\n');
    setTimeout(() => fs.appendFileSync(late, JSON.stringify({ type: 'assistant', message: { usage: { input_tokens: 190_000 } } }) + '\n'), 300);
    expect(await nudge(sb.session.dir, 'late-conv', late, now)).toMatchObject({ pct: 95 });
    // Another conversation of the same session is asked on its own.
    statusData(90, { id: 'other-conv', now });
    expect(await nudge(sb.session.dir, 'other-conv', undefined, now)).not.toBeNull();
  });
});

describe('the hooks', () => {
  it('Stop blocks once with the handoff request at 81 % (status data fixture), then lets Claude stop', { timeout: 120_000 }, async () => {
    statusData(81);
    const stop = payload('Stop', { stop_hook_active: false }, sb.session.dir);
    const first = await runHookScript('stop', stop, sb.hookEnv);
    expect(first.code).toBe(0);
    const out = JSON.parse(first.stdout);
    expect(out.decision).toBe('block');
    expect(out.reason).toMatch(/^cs: this conversation has used 81% of its context window\. Before going on, write a handoff to \.cs\/handoffs\/\d{8}-\d{6}\.md/);
    expect((await runHookScript('stop', stop, sb.hookEnv)).stdout).toBe('');
    expect(fs.readFileSync(sb.session.sessionLog, 'utf8')).toMatch(/asked Claude for a handoff at 81% context/);
    // Never while Claude is already continuing because of a Stop hook.
    statusData(99, { id: 'b1c2d3e4-0000-4000-8000-000000000000' });
    const again = payload('Stop', { stop_hook_active: true, session_id: 'b1c2d3e4-0000-4000-8000-000000000000' }, sb.session.dir);
    expect((await runHookScript('stop', again, sb.hookEnv)).stdout).toBe('');
  });

  it('a Write of a handoff goes through secret redaction; other .cs files are left alone', { timeout: 120_000 }, async () => {
    const file = path.join(sb.session.dir, '.cs/handoffs/20261130-020304.md');
    const content = '## Goal\nShip the fix\n## Facts\nAPI_TOKEN=tok_9f8e7d6c5b4a39281\nport 8443 answers\n';
    const r = await runHookScript('pre-tool-use', payload('PreToolUse', { tool_name: 'Write', tool_input: { file_path: file, content } }, sb.session.dir), sb.hookEnv);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      hookSpecificOutput: { hookEventName: 'PreToolUse', updatedInput: { file_path: file, content: '## Goal\nShip the fix\n## Facts\nAPI_TOKEN=${API_TOKEN}\nport 8443 answers\n' } },
    });
    expect((await runCs(['care', '-secrets', 'get', 'API_TOKEN'], { env: sb.env })).stdout).toBe('tok_9f8e7d6c5b4a39281\n');
    const clean = await runHookScript('pre-tool-use', payload('PreToolUse', { tool_name: 'Write', tool_input: { file_path: file, content: '## Goal\nnothing secret\n' } }, sb.session.dir), sb.hookEnv);
    expect(clean.stdout).toBe('');
    // A value stored already, in words the detector has no shape for: taken out by its key too.
    expect((await runCs(['care', '-secrets', 'set', 'DB_PASSWORD'], { env: sb.env, input: 'correct-horse-battery-staple' })).code).toBe(0);
    const said = '## Facts\nthe staging db password is correct-horse-battery-staple, for user app\n';
    const known = await runHookScript('pre-tool-use', payload('PreToolUse', { tool_name: 'Write', tool_input: { file_path: file, content: said } }, sb.session.dir), sb.hookEnv);
    expect(known.code).toBe(0);
    expect(JSON.parse(known.stdout).hookSpecificOutput.updatedInput.content).toBe('## Facts\nthe staging db password is ${DB_PASSWORD}, for user app\n');
  });
});

describe('cs <s> --new offers the latest unused handoff', () => {
  it('--from-handoff starts from the newest unused one; without a terminal --new only says it exists', { timeout: 90_000 }, async () => {
    const dir = sb.session.dir;
    fs.mkdirSync(path.join(dir, '.cs/handoffs'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.cs/handoffs/20261129-100000.md'), '## Goal\nOLDER handoff\n');
    fs.writeFileSync(path.join(dir, '.cs/handoffs/20261130-100000.md'), '## Goal\nNEWER handoff\n## Facts\nDB_PASSWORD=correct-horse-battery\n');
    // This machine asked conversation CONV for the newer one.
    fs.writeFileSync(path.join(sb.session.local, 'handoffs.json'), JSON.stringify({ [CONV]: { at: '2026-11-30T10:00:00Z', file: '.cs/handoffs/20261130-100000.md' } }));

    let r = await runCs(['care', '--new'], { env: { ...sb.env, FAKE_CLAUDE_TRANSCRIPT: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('.cs/handoffs/20261130-100000.md is a handoff no conversation started from yet — cs care --new --from-handoff uses it');
    expect(claudeStarts(sb).at(-1)!.argv).not.toContain('--append-system-prompt-file');

    // A conversation in which something was said (a transcript): the handoff counts as used.
    r = await runCs(['care', '--from-handoff'], { env: { ...sb.env, FAKE_CLAUDE_TRANSCRIPT: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('starting from the handoff .cs/handoffs/20261130-100000.md');
    const argv = claudeStarts(sb).at(-1)!.argv;
    const promptFile = argv[argv.indexOf('--append-system-prompt-file') + 1]!;
    expect(promptFile).toBe(path.join(sb.session.local, 'handoff-prompt.md'));
    expect(fs.statSync(promptFile).mode & 0o777).toBe(0o600);
    const prompt = fs.readFileSync(promptFile, 'utf8');
    expect(prompt).toContain('NEWER handoff');
    expect(prompt).toContain('DB_PASSWORD=${DB_PASSWORD}');
    expect(prompt).not.toContain('correct-horse-battery');

    r = await runCs(['care', '--new', '--from-handoff'], { env: { ...sb.env, FAKE_CLAUDE_TRANSCRIPT: '1' } });
    expect(fs.readFileSync(path.join(sb.session.local, 'handoff-prompt.md'), 'utf8')).toContain('OLDER handoff');
    r = await runCs(['care', '--new', '--from-handoff'], { env: sb.env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("cs: session 'care' has no unused handoff in .cs/handoffs/ — start without one: cs care --new");

    const convs = JSON.parse((await runCs(['care', '-conversations', '--json'], { env: sb.env })).stdout);
    expect(convs.map((c: any) => [c.handoff ?? null, c.handoffFrom ?? null])).toEqual([
      [null, null],
      ['.cs/handoffs/20261130-100000.md', CONV],
      ['.cs/handoffs/20261129-100000.md', null],
    ]);
    const text = (await runCs(['care', '-conversations'], { env: sb.env })).stdout;
    expect(text).toMatch(/⇢ 3389759f \(handoff\)/);
    expect(text).toMatch(/⇢ 20261129-100000\.md \(handoff\)/);
  });

  it('refuses contradictory flags', { timeout: 120_000 }, async () => {
    for (const args of [['care', '--from-handoff', '--no-handoff'], ['care', '--no-handoff'], ['care', '--from-handoff', '--resume', '1']]) {
      const r = await runCs(args, { env: sb.env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
