// Hook behaviours of the real Claude Code that cs relies on (see
// docs/claude-hook-payloads.md). Each test is one or two offline -p runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic, type ScriptTurn } from '../../support/fake-anthropic.js';
import { makeTempDir, makeTempHome, runClaude, type TempHome } from '../../support/claude.js';
import { waitFor } from '../../support/cs.js';

describe('Claude Code hook facts', () => {
  let home: TempHome;
  let ws: string;
  let dir: string;
  let api: FakeAnthropic | undefined;

  beforeEach(() => {
    home = makeTempHome();
    ws = makeTempDir('cs-ws-');
    dir = makeTempDir('cs-hk-');
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    home.cleanup();
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A settings file whose hooks are given as { event: [{matcher?, script, async?, timeout?}] }; scripts are sh. */
  function settings(hooks: Record<string, Array<{ matcher?: string; script: string; async?: boolean; timeout?: number }>>, name = 'settings.json') {
    const out: Record<string, unknown[]> = {};
    let n = 0;
    for (const [ev, list] of Object.entries(hooks)) {
      out[ev] = list.map((h) => {
        const file = path.join(dir, `hook-${n++}.sh`);
        fs.writeFileSync(file, h.script);
        const hook: Record<string, unknown> = { type: 'command', command: `sh ${file}` };
        if (h.async) hook.async = true;
        if (h.timeout !== undefined) hook.timeout = h.timeout;
        return { ...(h.matcher ? { matcher: h.matcher } : {}), hooks: [hook] };
      });
    }
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify({ hooks: out }));
    return file;
  }

  async function run(turns: ScriptTurn[], settingsFile: string, args: string[] = [], env: Record<string, string> = {}) {
    await api?.close();
    api = await startFakeAnthropic(turns);
    const t0 = Date.now();
    const r = await runClaude({ cwd: ws, home: home.home, prompt: 'go', baseUrl: api.url, settingsFile, args, env, timeoutMs: 25_000 });
    expect(r.code, r.stderr).toBe(0);
    return { ...r, ms: Date.now() - t0 };
  }

  const write = (file: string, content: string): ScriptTurn => [{ type: 'tool_use', name: 'Write', input: { file_path: file, content } }];
  const json = (v: unknown) => `cat >/dev/null\nprintf '%s' '${JSON.stringify(v)}'\n`;

  it('PreToolUse hookSpecificOutput.updatedInput without a decision redirects the Write; permission rules judge the new input', { timeout: 30_000 }, async () => {
    const orig = path.join(ws, 'deploy.sh');
    const moved = path.join(ws, '.cs', 'artifacts', 'deploy.sh');
    const s = settings({
      PreToolUse: [{ matcher: 'Write', script: json({ hookSpecificOutput: { hookEventName: 'PreToolUse', updatedInput: { file_path: moved, content: 'redacted\n' } } }) }],
    });
    await run([write(orig, 'SECRET=1\n'), 'ok'], s); // Write allowed by --allowedTools
    expect(fs.existsSync(orig)).toBe(false);
    expect(fs.readFileSync(moved, 'utf8')).toBe('redacted\n');
    expect(JSON.stringify(api!.agentRequests()[1].messages.at(-1))).toContain(moved);

    fs.rmSync(moved);
    await run([write(orig, 'SECRET=1\n'), 'ok'], s, ['--allowedTools', 'Bash']); // Write not allowed
    expect(fs.existsSync(orig)).toBe(false);
    expect(fs.existsSync(moved)).toBe(false);
    const res = api!.agentRequests()[1].messages.at(-1).content[0];
    expect(res.is_error).toBe(true);
    expect(res.content).toContain(moved); // the refusal names the redirected path
  });

  it('a plugin of a directory marketplace that user settings enable runs its hooks in place (exec form too); --settings enabledPlugins false switches it off for one launch', { timeout: 60_000 }, async () => {
    // How cs delivers its command hooks (src/install/plugin.ts).
    const market = path.join(dir, 'market');
    const log = path.join(dir, 'plugin.log');
    const put = (rel: string, v: unknown) => {
      fs.mkdirSync(path.dirname(path.join(market, rel)), { recursive: true });
      fs.writeFileSync(path.join(market, rel), JSON.stringify(v));
    };
    put('.claude-plugin/marketplace.json', { name: 'facts-market', owner: { name: 'cs tests' }, plugins: [{ name: 'facts', source: './facts' }, { name: 'other', source: './other' }] });
    put('facts/.claude-plugin/plugin.json', { name: 'facts', version: '1.0.0' });
    // Another plugin of the user's, which must stay on when cs switches its own off.
    put('other/.claude-plugin/plugin.json', { name: 'other', version: '1.0.0' });
    put('other/hooks/hooks.json', { hooks: { Stop: [{ hooks: [{ type: 'command', command: `${path.join(dir, 'hook.sh')} other` }] }] } });
    fs.writeFileSync(path.join(dir, 'hook.sh'), `#!/bin/sh\ncat >/dev/null\necho "$1 $CLAUDE_PLUGIN_ROOT" >> '${log}'\n`, { mode: 0o755 });
    put('facts/hooks/hooks.json', { hooks: { PreToolUse: [{ hooks: [{ type: 'command', command: path.join(dir, 'hook.sh'), args: ['exec-form'] }] }], Stop: [{ hooks: [{ type: 'command', command: `${path.join(dir, 'hook.sh')} shell-form` }] }] } });
    fs.writeFileSync(path.join(home.configDir, 'settings.json'), JSON.stringify({ extraKnownMarketplaces: { 'facts-market': { source: { source: 'directory', path: market } } }, enabledPlugins: { 'facts@facts-market': true, 'other@facts-market': true } }));
    const turns = (): ScriptTurn[] => [[{ type: 'tool_use', name: 'Read', input: { file_path: path.join(ws, 'nothing') } }], 'ok'];
    const none = path.join(dir, 'none.json');
    fs.writeFileSync(none, '{}');
    await run(turns(), none);
    expect(fs.readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual([`exec-form ${path.join(market, 'facts')}`, `other ${path.join(market, 'other')}`, `shell-form ${path.join(market, 'facts')}`]);
    fs.rmSync(log);
    const off = path.join(dir, 'off.json');
    fs.writeFileSync(off, JSON.stringify({ enabledPlugins: { 'facts@facts-market': false } }));
    await run(turns(), off);
    // The flag's enabledPlugins is merged over the user's, not put in its place.
    expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toEqual([`other ${path.join(market, 'other')}`]);
    // Claude Code only recorded the plugin in its own files; the user settings are as written.
    expect(JSON.parse(fs.readFileSync(path.join(home.configDir, 'settings.json'), 'utf8')).enabledPlugins).toEqual({ 'facts@facts-market': true, 'other@facts-market': true });
  });

  it('PermissionRequest fires in -p mode and its allow answer lets a redirected Write into .cs/ through', { timeout: 30_000 }, async () => {
    const orig = path.join(ws, 'run.sh');
    const moved = path.join(ws, '.cs', 'artifacts', 'run.sh');
    const elsewhere = path.join(ws, 'plain.txt');
    const s = settings({
      PreToolUse: [
        {
          matcher: 'Write',
          script: `case "$(cat)" in *'run.sh'*) printf '%s' '${JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', updatedInput: { file_path: moved, content: 'echo hi\n' } } })}';; esac\n`,
        },
      ],
      PermissionRequest: [
        {
          matcher: 'Write',
          script: `case "$(cat)" in *'"file_path":"${ws}/.cs/'*) printf '%s' '{"hookSpecificOutput":{"hookEventName":"PermissionRequest","decision":{"behavior":"allow"}}}';; esac\n`,
        },
      ],
    });
    await run([write(orig, 'echo hi\n'), write(elsewhere, 'x'), 'ok'], s, ['--allowedTools', 'Bash']);
    expect(fs.readFileSync(moved, 'utf8')).toBe('echo hi\n');
    expect(fs.existsSync(orig)).toBe(false);
    expect(fs.existsSync(elsewhere)).toBe(false); // no answer: the user's rules (Write not allowed) stand
  });

  it('a top-level {permissionDecision, updatedInput} is ignored', { timeout: 30_000 }, async () => {
    const orig = path.join(ws, 'a.sh');
    const other = path.join(ws, 'b.sh');
    const s = settings({
      PreToolUse: [{ matcher: 'Write', script: json({ permissionDecision: 'allow', updatedInput: { file_path: other, content: 'x' } }) }],
    });
    await run([write(orig, 'orig\n'), 'ok'], s);
    expect(fs.readFileSync(orig, 'utf8')).toBe('orig\n');
    expect(fs.existsSync(other)).toBe(false);
  });

  it('a hook that exits without reading its input (300 KB, past a pipe buffer) counts as run; the tool call goes on, the next hook runs', { timeout: 30_000 }, async () => {
    const a = path.join(ws, 'a.txt');
    const log = path.join(dir, 'ran.log');
    const big = 'y'.repeat(300_000);
    await run(
      [write(a, big), write(path.join(ws, 'b.txt'), 'x'), 'ok'],
      settings({
        PreToolUse: [{ matcher: 'Write', script: `echo pre-sync >> ${log}\n` }, { matcher: 'Write', script: `echo pre-async >> ${log}\n`, async: true }],
        PostToolUse: [{ matcher: 'Write', script: `echo post-sync >> ${log}\n` }, { matcher: 'Write', script: `echo post-async >> ${log}\n`, async: true }],
      }),
    );
    expect(fs.readFileSync(a, 'utf8')).toBe(big);
    expect(fs.readFileSync(path.join(ws, 'b.txt'), 'utf8')).toBe('x');
    await waitFor(() => fs.readFileSync(log, 'utf8').trim().split('\n').length === 8);
    expect(fs.readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['post-async', 'post-async', 'post-sync', 'post-sync', 'pre-async', 'pre-async', 'pre-sync', 'pre-sync']);
  });

  it('exit 2 blocks a tool call (stderr goes to the model); exit 1 does not', { timeout: 30_000 }, async () => {
    const a = path.join(ws, 'a.txt');
    await run([write(a, 'x'), 'ok'], settings({ PreToolUse: [{ matcher: 'Write', script: 'cat >/dev/null; echo "nope: blocked" >&2; exit 2\n' }] }));
    expect(fs.existsSync(a)).toBe(false);
    expect(JSON.stringify(api!.agentRequests()[1].messages.at(-1))).toContain('nope: blocked');
    await run([write(a, 'x'), 'ok'], settings({ PreToolUse: [{ matcher: 'Write', script: 'cat >/dev/null; echo oops >&2; exit 1\n' }] }, 's2.json'));
    expect(fs.readFileSync(a, 'utf8')).toBe('x');
  });

  it('SessionStart and UserPromptSubmit additionalContext arrive in a role "system" message of the first request', { timeout: 30_000 }, async () => {
    const s = settings({
      SessionStart: [{ script: json({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: 'CTX-OBJECTIVE-42' } }) }],
      UserPromptSubmit: [{ script: json({ hookSpecificOutput: { hookEventName: 'UserPromptSubmit', additionalContext: 'UPS-CTX-7' } }) }],
    });
    await run(['ok'], s);
    const body = api!.agentRequests()[0];
    expect(JSON.stringify(body.system)).not.toContain('CTX-OBJECTIVE-42');
    const sys = body.messages.filter((m: any) => m.role === 'system');
    expect(sys).toHaveLength(1);
    const text = JSON.stringify(sys[0].content);
    expect(text).toContain('SessionStart hook additional context: CTX-OBJECTIVE-42');
    expect(text).toContain('UserPromptSubmit hook additional context: UPS-CTX-7');
    // The user's prompt is in the user message before it.
    expect(body.messages[0].role).toBe('user');
    expect(JSON.stringify(body.messages[0].content)).toContain('"go"');
  });

  it('a prompt after `--` is the prompt, verbatim, even when it starts with "-" or follows a variadic option; before it, it is an option', { timeout: 60_000 }, async () => {
    // How cs passes a hosted session's first prompt (src/host/main.ts).
    const s = settings({});
    const userText = () => {
      const first = api!.agentRequests()[0].messages[0];
      return (typeof first.content === 'string' ? [first.content] : first.content.map((b: any) => b.text)).filter((t: string | undefined) => t && !t.startsWith('<system-reminder>'));
    };
    for (const prompt of ['--dangerously-skip-permissions', '--verbose is broken', '-x', 'a -- b']) {
      api = await startFakeAnthropic(['ok']);
      const r = await runClaude({ cwd: ws, home: home.home, prompt, promptLast: true, baseUrl: api.url, settingsFile: s, args: ['--allowedTools', 'Bash', 'Write'], timeoutMs: 25_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(userText()).toEqual([prompt]);
      await api.close();
    }
    // Without `--`: an option, or (here, unknown) an error; after a variadic option, one of its values.
    api = await startFakeAnthropic(['ok']);
    const bare = await runClaude({ cwd: ws, home: home.home, prompt: '--verbose is broken', baseUrl: api.url, settingsFile: s, timeoutMs: 25_000 });
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toContain("unknown option '--verbose is broken'");
    expect(api.agentRequests()).toHaveLength(0);
    // (Claude Code says so itself: '"fix the test" was read as a value of --allowedTools, not as a prompt · put a prompt before --allowedTools or after --'.)
    const eaten = await runClaude({ cwd: ws, home: home.home, baseUrl: api.url, settingsFile: s, args: ['--allowedTools', 'Bash', 'fix the test'], timeoutMs: 25_000 });
    expect(eaten.code).not.toBe(0);
    expect(api.agentRequests()).toHaveLength(0);
  });

  it('export lines written to CLAUDE_ENV_FILE by SessionStart reach later Bash tool calls', { timeout: 30_000 }, async () => {
    const out = path.join(ws, 'env-out.txt');
    const s = settings({ SessionStart: [{ script: 'cat >/dev/null\necho "export CS_FROM_HOOK=hello-bash" >> "$CLAUDE_ENV_FILE"\n' }] });
    await run([[{ type: 'tool_use', name: 'Bash', input: { command: `echo "$CS_FROM_HOOK" > ${out}`, description: 'x' } }], 'ok'], s);
    expect(fs.readFileSync(out, 'utf8')).toBe('hello-bash\n');
  });

  it('Stop {"decision":"block"} makes Claude continue; the next Stop has stop_hook_active true', { timeout: 30_000 }, async () => {
    const log = path.join(dir, 'stop.log');
    const s = settings({
      Stop: [
        {
          script: `in=$(cat); printf '%s\\n' "$in" >> ${log}\ncase "$in" in *'"stop_hook_active":false'*) printf '%s' '{"decision":"block","reason":"RECORD-DISCOVERIES"}';; esac\n`,
        },
      ],
    });
    await run(['first answer', 'second answer'], s);
    const stops = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(stops.map((p) => p.stop_hook_active)).toEqual([false, true]);
    expect(JSON.stringify(api!.agentRequests()[1].messages)).toContain('RECORD-DISCOVERIES');
  });

  it('async: true does not hold up the tool loop; at -p exit a still-running async hook is killed, SessionEnd still runs', { timeout: 60_000 }, async () => {
    const log = path.join(dir, 'async.log');
    const s = settings({
      PostToolUse: [{ matcher: 'Write', async: true, script: `cat >/dev/null; echo start >> ${log}; sleep 8; echo end >> ${log}\n` }],
      SessionEnd: [{ script: `cat >/dev/null; echo session-end >> ${log}\n` }],
    });
    await run([write(path.join(ws, 'a.txt'), 'x'), 'ok'], s);
    const [req1, req2] = api!.requests.filter((q) => q.kind === 'agent').map((q) => q.at);
    // The follow-up request did not wait for the 8 s hook (margins for a loaded machine).
    expect(req2! - req1!).toBeLessThan(7000);
    // Past the time the hook (started before the follow-up request) would have written 'end' had it
    // not been killed: counted from that request, not from Claude Code's own start-up.
    await new Promise((res) => setTimeout(res, Math.max(0, req2! + 9000 - Date.now())));
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toContain('session-end'); // SessionEnd ran
    expect(lines).not.toContain('end'); // the async hook was killed before it finished
  });

  it('a synchronous hook may leave work running detached (its output to /dev/null, the input through fd 3): Claude neither waits for it nor kills it at -p exit, and it reads the whole input', { timeout: 60_000 }, async () => {
    const out = path.join(dir, 'detached.out');
    const log = path.join(dir, 'detached.log');
    // As hooks/post-tool-use hands work to Node: an asynchronous list's stdin is /dev/null unless redirected.
    const s = settings({ PostToolUse: [{ matcher: 'Write', script: `exec 3<&0\n{ sleep 10; cat <&3 > ${out}.tmp; mv ${out}.tmp ${out}; } >/dev/null 2>&1 &\necho hook-exit >> ${log}\nexit 0\n` }] });
    const r = await run([write(path.join(ws, 'a.txt'), 'x'), 'ok'], s);
    const [req1, req2] = api!.requests.filter((q) => q.kind === 'agent').map((q) => q.at);
    // The follow-up request did not wait for the detached 10 s (margins for a loaded machine), and Claude exited before it ended.
    expect(req2! - req1!).toBeLessThan(5000);
    expect(fs.readFileSync(log, 'utf8')).toBe('hook-exit\n');
    expect(fs.existsSync(out), `claude took ${r.ms} ms`).toBe(false);
    // It was not killed with Claude: it ends later, with the whole hook input.
    await waitFor(() => fs.existsSync(out), 30_000);
    const input = JSON.parse(fs.readFileSync(out, 'utf8')) as { hook_event_name: string; tool_input: { file_path: string } };
    expect(input).toMatchObject({ hook_event_name: 'PostToolUse', tool_input: { file_path: path.join(ws, 'a.txt') } });
  });

  it('the hook "timeout" field is in seconds', { timeout: 60_000 }, async () => {
    const s = settings({
      PreToolUse: [
        { matcher: 'Write', timeout: 3, script: `cat >/dev/null; sleep 1; echo done > ${dir}/t3\n` },
        { matcher: 'Write', timeout: 1, script: `cat >/dev/null; sleep 6; echo done > ${dir}/t1\n` },
      ],
    });
    await run([write(path.join(ws, 'a.txt'), 'x'), 'ok'], s);
    expect(fs.existsSync(path.join(dir, 't3'))).toBe(true); // 1 s of work inside a 3 (s) timeout
    // The 6 s hook was cut (at about 1 s): timed over the tool call, between the two API requests,
    // so Claude Code's own start-up on a loaded machine does not count.
    const [req1, req2] = api!.requests.filter((q) => q.kind === 'agent').map((q) => q.at);
    expect(req2! - req1!).toBeLessThan(5000);
    // Past the time it would have written t1 had it not been cut.
    await new Promise((res) => setTimeout(res, Math.max(0, req1! + 7000 - Date.now())));
    expect(fs.existsSync(path.join(dir, 't1'))).toBe(false);
    expect(fs.readFileSync(path.join(ws, 'a.txt'), 'utf8')).toBe('x'); // a timed-out hook does not block
  });
});
