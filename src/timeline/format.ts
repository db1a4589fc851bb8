// Human-readable timeline lines, shared by `cs <s> -log` and the web page
// (which renders the same `describe` text in the browser).
import { escapeControls } from '../lib/format.js';
import type { Colors } from '../term/io.js';
import { timestamp } from '../session/log.js';
import type { TimelineEvent } from './timeline.js';

const s = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** One line of text for an event, without the time. */
export function describe(ev: TimelineEvent): string {
  switch (ev.type) {
    case 'session-start':
      return `session start${ev.source ? ` (${s(ev.source)})` : ''}`;
    case 'session-end':
      return `session end${ev.reason ? ` (${s(ev.reason)})` : ''}`;
    case 'tool':
      return `${s(ev.tool)}${ev.target ? ` ${s(ev.target)}` : ''}`;
    case 'tool-failed':
      return `${s(ev.tool)} failed${ev.target ? ` ${s(ev.target)}` : ''}${ev.error ? `: ${s(ev.error)}` : ''}`;
    case 'artifact': {
      const secrets = Array.isArray(ev.secrets) && ev.secrets.length ? `; secrets stored: ${ev.secrets.map(s).join(', ')}` : '';
      return `artifact ${s(ev.name)}${ev.from ? ` (from ${s(ev.from)})` : ''}${secrets}`;
    }
    case 'discovery':
      return `## ${s(ev.title)}`;
    case 'autosave':
      return `autosave ${s(ev.commit).slice(0, 12)}`;
    case 'permission':
      return `${s(ev.tool)} ${ev.decision === 'timeout' ? 'denied (no answer in time)' : ev.decision === 'allow' ? 'allowed' : 'denied'}${ev.by ? ` by ${s(ev.by)}` : ''}${ev.target ? `: ${s(ev.target)}` : ''}`;
    case 'sync':
      return `sync ${s(ev.action)}${ev.result ? ` (${s(ev.result)})` : ''}${ev.url ? ` ${s(ev.url)}` : ''}`;
    case 'queue':
      return `queue ${s(ev.action)}${ev.id !== undefined ? ` ${s(ev.id)}` : ''}${ev.debrief ? `: ${s(ev.debrief)}` : ev.text ? `: ${s(ev.text)}` : ''}`;
    default: {
      const { ts: _ts, type, ...rest } = ev;
      return `${type} ${JSON.stringify(rest)}`;
    }
  }
}

const KIND_WIDTH = 13;

/** `2026-11-23 10:00:01  tool          Write notes.txt`, in local time like session.log. */
export function formatEvent(ev: TimelineEvent, color: Colors): string {
  const d = new Date(ev.ts);
  const when = Number.isNaN(d.getTime()) ? ev.ts : timestamp(d);
  const kind = ev.type.padEnd(KIND_WIDTH);
  const paint =
    ev.type === 'tool-failed' ? color.red : ev.type === 'discovery' || ev.type === 'artifact' ? color.green : ev.type.startsWith('session') ? color.bold : ev.type === 'sync' || ev.type === 'autosave' ? color.cyan : (x: string) => x;
  return `${color.dim(when)}  ${paint(kind)} ${oneLine(describe(ev))}`;
}

function oneLine(text: string): string {
  // Terminal safety: event fields come from tool inputs and queued tasks. Line breaks become
  // spaces; any other control or bidi character shows as \uXXXX (it could retitle the
  // terminal, colour it, or reorder what the line reads).
  return escapeControls(text.replace(/[\r\n\t]+/g, ' '));
}
