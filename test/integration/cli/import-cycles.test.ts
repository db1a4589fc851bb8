// No module of src/ imports itself through others: a cycle makes load order
// matter and hides which layer owns a fact (issue #16). madge reads the
// imports the way TypeScript resolves them, type-only imports included.
import * as path from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/cs.js';

describe('src/ imports', () => {
  it('form no cycle', { timeout: 60_000 }, async () => {
    const graph = await madge(path.join(repoRoot, 'src'), { fileExtensions: ['ts'], tsConfig: path.join(repoRoot, 'tsconfig.json') });
    expect(Object.keys(graph.obj()).length).toBeGreaterThan(100); // the whole tree was read
    expect(graph.circular()).toEqual([]);
  });

  it('src/ keeps only bin.ts and cli.ts at its top level', async () => {
    const fs = await import('node:fs');
    const top = fs.readdirSync(path.join(repoRoot, 'src'), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name).sort();
    expect(top).toEqual(['bin.ts', 'cli.ts']);
  });
});
