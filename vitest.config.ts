import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: real git, real Claude Code and real sshd in parallel files
    // compete for them; two workers keep runs predictable.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
