// `.cs/logs/session.log`: one timestamped line per session event. Appends are
// single write(2) calls of one line, so concurrent writers never interleave.
import { appendConfined } from '../lib/confine.js';
import { escapeControls } from '../lib/format.js';

export function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function logLine(d: Date, message: string): string {
  return `[${timestamp(d)}] ${escapeControls(message.replace(/[\r\n]+/g, ' '))}\n`;
}

export function appendSessionLog(logFile: string, message: string, now = new Date()): void {
  appendConfined(logFile, logLine(now, message));
}
