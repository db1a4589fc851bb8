// Hook cost, next to `sh -c :` and a bash script that pipes the same stdin
// through jq twice (what the reference tool runs on every tool call).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSession } from '../src/session/workspace.js';
import * as http from 'node:http';
import { startHookServer } from '../src/hooks/server.js';
import { median, ratioLine, timeCommand, type Sample } from './harness.js';

const hooks = path.resolve('hooks');
const RUNS = 25;

function writePayload(file: string, content: string, cwd: string): string {
  return JSON.stringify({ session_id: 's', transcript_path: '/t', cwd, hook_event_name: 'PreToolUse', tool_name: 'Write', tool_input: { file_path: file, content } });
}

function editPayload(file: string, cwd: string): string {
  return JSON.stringify({
    session_id: 's', transcript_path: '/t', cwd, hook_event_name: 'PostToolUse', tool_name: 'Edit',
    tool_input: { file_path: file, old_string: 'one', new_string: 'two', replace_all: false },
    tool_response: { filePath: file, oldString: 'one', newString: 'two', originalFile: 'one\n'.repeat(200), structuredPatch: [] },
  });
}

/** Median time of a POST to our hook endpoint, a new connection each time (Claude's http hook call). */
async function timeHttpHook(label: string, url: string, token: string, body: string, runs = RUNS): Promise<Sample> {
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'x-cs-token': token } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`${label}: HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  return { label, medianMs: median(times), runs };
}

function absoluteLine(sample: Sample, maxMs: number): string {
  const verdict = sample.medianMs <= maxMs ? `ok (target <= ${maxMs} ms)` : `OVER TARGET (<= ${maxMs} ms)`;
  return `${sample.label.padEnd(44)} ${sample.medianMs.toFixed(1).padStart(8)} ms  ${verdict}`;
}

function sum(label: string, parts: Sample[]): Sample {
  return { label, medianMs: parts.reduce((a, s) => a + s.medianMs, 0), runs: parts[0]!.runs };
}

export async function benchHooks(): Promise<string[]> {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cs-bench-hooks-')));
  try {
    const home = path.join(tmp, 'home');
    const env = { ...process.env, HOME: home, CS_SESSIONS_ROOT: path.join(home, 'sessions'), CS_SECRETS_BACKEND: 'encrypted' } as NodeJS.ProcessEnv;
    delete env.CLAUDE_SESSION_DIR;
    delete env.CLAUDE_PROJECT_DIR;
    const s = await createSession(env, 'bench');
    const inSession = { ...env, CLAUDE_SESSION_NAME: 'bench', CLAUDE_SESSION_DIR: s.dir, CLAUDE_PROJECT_DIR: s.dir };
    const outside = { ...env, CLAUDE_PROJECT_DIR: tmp };
    const reference = path.join(tmp, 'reference.sh');
    fs.writeFileSync(reference, '#!/bin/bash\ninput=$(cat)\ntool=$(printf "%s" "$input" | jq -r .tool_name)\nfile=$(printf "%s" "$input" | jq -r .tool_input.file_path)\n[ -n "$tool$file" ] || exit 1\nexit 0\n', { mode: 0o755 });

    const edit = editPayload(path.join(s.dir, 'src/app.ts'), s.dir);
    const artifact = writePayload(path.join(s.dir, 'deploy.sh'), '#!/bin/sh\nAPI_TOKEN=abc123\ncurl -H "Authorization: $API_TOKEN" https://example.invalid\n', s.dir);
    // The Write stays at Claude's path (the copy in .cs/artifacts/ is written by PreToolUse).
    const redirected = JSON.stringify({ ...JSON.parse(editPayload(path.join(s.dir, 'deploy.sh'), s.dir)), tool_name: 'Write' });

    const shBase = timeCommand('sh -c :', 'sh', ['-c', ':'], { runs: RUNS });
    const jqRef = timeCommand('bash+jq reference', reference, [], { runs: RUNS, input: edit });
    const lines = [`baselines: sh -c : = ${shBase.medianMs.toFixed(1)} ms, bash+jq reference = ${jqRef.medianMs.toFixed(1)} ms`];

    // (1) Outside a session: the PreToolUse hook (the busiest) for a Write.
    const out = timeCommand('(1) hook outside a session', path.join(hooks, 'pre-tool-use'), [], { runs: RUNS, env: outside, input: artifact });
    lines.push(ratioLine(out, shBase, { max: 1.5 }));

    // A session cs launched: Claude calls our loopback endpoint (http hooks)
    // and, in parallel, the command hooks, which step aside at once. Counted
    // here as the sum of both, although Claude runs them side by side.
    const server = await startHookServer(s, env);
    try {
      const settings = JSON.parse(fs.readFileSync(server.settingsFile, 'utf8'));
      const token = settings.hooks.PreToolUse[0].hooks[0].headers['X-CS-Token'] as string;
      const launched = { ...inSession, CS_HOOK_SERVER: '1', CS_LAUNCHED: '1' };

      // (2) An Edit: Claude waits on PostToolUse (the change log); autosave
      // is async and PreToolUse matches Write only.
      const editHttp = await timeHttpHook('post http', `${server.url}/hook/post-tool-use`, token, edit);
      const editGuard = timeCommand('post guard', path.join(hooks, 'post-tool-use'), [], { runs: RUNS, env: launched, input: edit });
      lines.push(ratioLine(sum('(2) blocking hooks per Edit in a session', [editHttp, editGuard]), jqRef, { max: 0.2 }));

      // (3) A Write of a tracked artifact with one secret: PreToolUse (capture,
      // redaction, keychain) plus PostToolUse for the redirected path.
      const preHttp = await timeHttpHook('pre http', `${server.url}/hook/pre-tool-use`, token, artifact);
      // (3a) The detector's cost on the HTTP path alone (secretlint preset + key rules + store read).
      lines.push(ratioLine({ ...preHttp, label: '(3a) PreToolUse over HTTP, artifact Write + secret' }, jqRef, { max: 0.2 }));
      const preGuard = timeCommand('pre guard', path.join(hooks, 'pre-tool-use'), [], { runs: RUNS, env: launched, input: artifact });
      const postHttp = await timeHttpHook('post http', `${server.url}/hook/post-tool-use`, token, redirected);
      lines.push(ratioLine(sum('(3) blocking hooks per artifact Write + secret', [preHttp, preGuard, postHttp, editGuard]), jqRef, { max: 1.5 }));
    } finally {
      await server.close();
    }

    // The same through the command hooks alone: Claude started without cs
    // (an IDE on an adopted repo). No target; shown for comparison.
    const perEdit = timeCommand('fallback: command hooks per Edit', path.join(hooks, 'post-tool-use'), [], { runs: RUNS, env: inSession, input: edit });
    lines.push(ratioLine(perEdit, jqRef));
    const pre = timeCommand('pre', path.join(hooks, 'pre-tool-use'), [], { runs: RUNS, env: inSession, input: artifact });
    const post = timeCommand('post', path.join(hooks, 'post-tool-use'), [], { runs: RUNS, env: inSession, input: redirected });
    lines.push(ratioLine(sum('fallback: command hooks per artifact Write', [pre, post]), jqRef));

    // (4) A 25 MB Write: its PostToolUse input carries the content twice
    // (50 MB). The change line and the timeline entry must still be written,
    // within a few hundred ms: sh reads only the head when the path comes
    // first; Node skims the stream when the content comes first.
    const big = 'x'.repeat(25 * 1024 * 1024);
    const bigWrite = (contentFirst: boolean) => {
      const file = path.join(s.dir, 'big.txt');
      const toolInput = contentFirst ? { content: big, file_path: file } : { file_path: file, content: big };
      return JSON.stringify({ session_id: 's', transcript_path: '/t', cwd: s.dir, hook_event_name: 'PostToolUse', tool_name: 'Write', tool_input: toolInput, tool_response: { type: 'create', filePath: file, content: big } });
    };
    // Handing 50 MB to any process costs something: the floor is a reader that does nothing else.
    const drain = timeCommand('cat of the same 50 MB', 'sh', ['-c', 'cat >/dev/null'], { runs: 5, input: bigWrite(false) });
    lines.push(`baseline: sh -c 'cat >/dev/null' of a 50 MB input = ${drain.medianMs.toFixed(1)} ms`);
    for (const [how, input] of [['path first (sh)', bigWrite(false)], ['content first (Node)', bigWrite(true)]] as const) {
      for (const script of ['post-tool-use']) {
        const t = timeCommand(`(4) 50 MB Write, ${script}, ${how}`, path.join(hooks, script), [], { runs: 5, env: inSession, input });
        lines.push(absoluteLine({ ...t, medianMs: t.medianMs - drain.medianMs, label: `${t.label} (over cat)` }, 300));
      }
    }
    return lines;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
