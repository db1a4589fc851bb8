// A scripted fake of the Anthropic Messages API, good enough to drive the
// real Claude Code CLI offline (ANTHROPIC_BASE_URL=<url>).
//
// - POST /v1/messages (any query string, e.g. ?beta=true): when the request
//   carries a non-empty `tools` list, the next scripted assistant turn is
//   replayed (streaming SSE when `stream` is true, one JSON message
//   otherwise). Requests without tools (title generation, summaries, quota
//   probes...) get a short text reply and do not consume a turn. Compaction
//   requests (/compact, auto-compact) DO carry tools in Claude Code 2.1.330;
//   they are recognised by their "TEXT ONLY ... summary" instruction in the
//   last user message and get a canned <summary> without consuming a turn.
// - When the script is used up, tool-carrying requests get a plain "Done."
//   end_turn so Claude Code finishes instead of hanging.
// - POST /v1/messages/count_tokens → {input_tokens}; anything else → 200 {}.
// - Listens on 127.0.0.1 only, random port. Bounded: at most `maxRequests`
//   requests are answered (then 529 overloaded), and the server closes
//   itself after `lifetimeMs` in case a test forgets to.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface TextBlock {
  type: 'text';
  text: string;
}
export interface ToolUseBlock {
  type: 'tool_use';
  name: string;
  input: Record<string, unknown>;
  /** Generated (toolu_...) when omitted. */
  id?: string;
}
export type ScriptBlock = TextBlock | ToolUseBlock;
/**
 * One assistant turn: a string (one text block), a list of blocks, or a
 * function of the parsed request body returning either (lets a test look at
 * the tool_result it just got before answering).
 */
export type ScriptTurn = string | ScriptBlock[] | ((body: any) => string | ScriptBlock[]);

export interface RecordedRequest {
  method: string;
  /** Path including the query string, e.g. /v1/messages?beta=true */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined when empty or not JSON). */
  body: any;
  /** Index of the scripted turn this request consumed, or null. */
  turn: number | null;
  /** 'agent' (consumed/ended the script), 'side' (no tools), 'compact', or 'other'. */
  kind: 'agent' | 'side' | 'compact' | 'other';
  /** Date.now() when the request body was complete. */
  at: number;
}

export interface FakeAnthropic {
  url: string;
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Bodies of the agent-loop requests (carried tools, not compaction), in order. */
  agentRequests(): any[];
  /** How many scripted turns have been consumed. */
  turnsUsed(): number;
  close(): Promise<void>;
}

export interface FakeAnthropicOptions {
  maxRequests?: number;
  lifetimeMs?: number;
  /** Text used for requests without tools. */
  sideReply?: string;
  /** Model name reported back (default: the requested model). */
  model?: string;
  /** Usage figures to report for an agent turn instead of the estimate (e.g. a nearly full context). */
  usage?: (body: any) => Partial<ReturnType<typeof usage>>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

function toBlocks(turn: string | ScriptBlock[]): ScriptBlock[] {
  return typeof turn === 'string' ? [{ type: 'text', text: turn }] : turn;
}

function finalize(blocks: ScriptBlock[]): Array<TextBlock | Required<ToolUseBlock>> {
  return blocks.map((b) => (b.type === 'tool_use' ? { ...b, id: b.id ?? id('toolu') } : b));
}

function lastUserText(body: any): string {
  const msgs: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i];
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) return m.content.filter((c: any) => c?.type === 'text').map((c: any) => String(c.text)).join('\n');
    return '';
  }
  return '';
}

/** A compaction request: Claude Code asks for a text-only <summary> (tools are still listed). */
export function isCompactionRequest(body: any): boolean {
  const t = lastUserText(body);
  return /Respond with TEXT ONLY/i.test(t) && /summary/i.test(t);
}

export const FAKE_COMPACT_SUMMARY = '<analysis>Fake analysis.</analysis>\n<summary>Fake summary of the conversation.</summary>';

function usage(body: any) {
  const approxIn = Math.max(1, Math.ceil(JSON.stringify(body?.messages ?? '').length / 4));
  return { input_tokens: approxIn, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

function sse(res: http.ServerResponse, event: string, data: unknown) {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

function sendMessage(res: http.ServerResponse, body: any, blocks: ScriptBlock[], model: string, override?: FakeAnthropicOptions['usage']) {
  const content = finalize(blocks);
  const stopReason = content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn';
  const msgId = id('msg');
  const u = { ...usage(body), ...override?.(body) };
  const outTokens = Math.max(1, Math.ceil(JSON.stringify(content).length / 4));
  const headers = { 'request-id': id('req'), 'anthropic-organization-id': 'fake-org' };
  if (body?.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
    sse(res, 'message_start', {
      type: 'message_start',
      message: { id: msgId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: u },
    });
    content.forEach((b, index) => {
      if (b.type === 'text') {
        sse(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: b.text } });
      } else {
        sse(res, 'content_block_start', {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} },
        });
        const json = JSON.stringify(b.input);
        // Split the JSON in two deltas like the real API does in pieces.
        const cut = Math.floor(json.length / 2);
        for (const part of [json.slice(0, cut), json.slice(cut)]) {
          sse(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } });
        }
      }
      sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    });
    sse(res, 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outTokens },
    });
    sse(res, 'message_stop', { type: 'message_stop' });
    res.end();
  } else {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(
      JSON.stringify({
        id: msgId,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { ...u, output_tokens: outTokens },
      }),
    );
  }
}

export async function startFakeAnthropic(turns: ScriptTurn[], opts: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const maxRequests = opts.maxRequests ?? 200;
  const lifetimeMs = opts.lifetimeMs ?? 5 * 60_000;
  const sideReply = opts.sideReply ?? 'Fake title';
  const requests: RecordedRequest[] = [];
  let next = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = undefined;
      }
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, turn: null, kind: 'other', at: Date.now() };
      requests.push(rec);
      try {
        if (requests.length > maxRequests) {
          res.writeHead(529, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'fake-anthropic: request limit reached' } }));
          return;
        }
        const pathname = (req.url ?? '').split('?')[0]!;
        const model = opts.model ?? (typeof body?.model === 'string' ? body.model : 'claude-fake');
        if (req.method === 'POST' && pathname === '/v1/messages/count_tokens') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ input_tokens: usage(body).input_tokens }));
          return;
        }
        if (req.method === 'POST' && pathname === '/v1/messages') {
          const hasTools = Array.isArray(body?.tools) && body.tools.length > 0;
          if (!hasTools) {
            rec.kind = 'side';
            sendMessage(res, body, [{ type: 'text', text: sideReply }], model);
            return;
          }
          if (isCompactionRequest(body)) {
            rec.kind = 'compact';
            sendMessage(res, body, [{ type: 'text', text: FAKE_COMPACT_SUMMARY }], model);
            return;
          }
          rec.kind = 'agent';
          let blocks: ScriptBlock[];
          if (next < turns.length) {
            rec.turn = next;
            const t = turns[next++]!;
            blocks = toBlocks(typeof t === 'function' ? t(body) : t);
          } else {
            blocks = [{ type: 'text', text: 'Done.' }];
          }
          sendMessage(res, body, blocks, model, opts.usage);
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      } catch (e) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(e) } }));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      clearTimeout(timer);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closed;
  };
  const timer = setTimeout(() => void close(), lifetimeMs);
  timer.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    agentRequests: () =>
      requests.filter((r) => r.kind === 'agent').map((r) => r.body),
    turnsUsed: () => next,
    close,
  };
}
