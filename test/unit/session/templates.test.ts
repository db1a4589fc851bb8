import { describe, expect, it } from 'vitest';
import { mergeGitignore, mergeProtocol, PROTOCOL_END, PROTOCOL_START, render } from '../../../src/session/templates.js';

const block = `${PROTOCOL_START}\nprotocol v2\n${PROTOCOL_END}\n`;

describe('mergeProtocol', () => {
  it('appends to a user file and keeps its text', () => {
    const out = mergeProtocol('# My project\n\nRules.\n', block);
    expect(out).toBe(`# My project\n\nRules.\n\n${block}`);
  });
  it('is idempotent', () => {
    const once = mergeProtocol('# Mine\n', block);
    expect(mergeProtocol(once, block)).toBe(once);
  });
  it('replaces only the block between markers', () => {
    const old = `top\n${PROTOCOL_START}\nprotocol v1\n${PROTOCOL_END}\nbottom\n`;
    expect(mergeProtocol(old, block)).toBe(`top\n${PROTOCOL_START}\nprotocol v2\n${PROTOCOL_END}\nbottom\n`);
  });
  it('fills an empty file', () => {
    expect(mergeProtocol('', block)).toBe(block);
  });
});

describe('mergeGitignore', () => {
  it('adds .cs/local/ once', () => {
    const once = mergeGitignore('node_modules', '.cs/local/\n');
    expect(once).toBe('node_modules\n.cs/local/\n');
    expect(mergeGitignore(once, '.cs/local/\n')).toBe(once);
  });
});

describe('render', () => {
  it('fills known placeholders and leaves unknown ones', () => {
    expect(render('{{name}} {{other}}', { name: 'x' })).toBe('x {{other}}');
  });
});
