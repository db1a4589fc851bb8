// `.cs/logs/session.log`: one timestamped line per session event. Appends are
// single write(2) calls of one line, so concurrent writers never interleave.
import * as fs from 'node:fs';
import * as path from 'node:path';

export function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function logLine(d: Date, message: string): string {
  return `[${timestamp(d)}] ${message.replace(/[\r\n]+/g, ' ')}\n`;
}

export function appendSessionLog(logFile: string, message: string, now = new Date()): void {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.appendFileSync(logFile, logLine(now, message));
}
