// The readable text of a Claude Code transcript line (JSON Lines, one
// message or event per line, as Claude Code writes them under
// ~/.claude/projects/): what a search matches a transcript on, and what the
// search cache records a transcript's words from (src/search/cache.ts).

/**
 * The readable text of one transcript line: what was said and what tools got
 * and gave, with who said it ("Claude: …", "user: …", "summary: …"); null for
 * a line that says nothing (metadata, a system event, not JSON). Ids, paths
 * of the working folder, the branch, the model and token counts are left out.
 */
export function transcriptText(line: string): string | null {
  let v: any;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  if (v.type === 'summary' && typeof v.summary === 'string') return `summary: ${v.summary}`;
  const msg = v.message;
  if (!msg || (v.type !== 'user' && v.type !== 'assistant')) return null;
  const who = v.type === 'assistant' ? 'Claude' : 'user';
  const parts: string[] = [];
  const walk = (c: unknown): void => {
    if (typeof c === 'string') parts.push(c);
    else if (Array.isArray(c)) c.forEach(walk);
    else if (c && typeof c === 'object') {
      const b = c as Record<string, unknown>;
      if (b.type === 'text' && typeof b.text === 'string') parts.push(b.text);
      else if (b.type === 'thinking' && typeof b.thinking === 'string') parts.push(b.thinking);
      else if (b.type === 'tool_use') parts.push(`[${String(b.name)}] ${Object.values((b.input as object) ?? {}).filter((x) => typeof x === 'string').join(' ')}`);
      else if (b.type === 'tool_result') walk(b.content);
    }
  };
  walk(msg.content);
  return parts.length ? `${who}: ${parts.join(' ')}` : null;
}
