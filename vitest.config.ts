import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Engine tests start worker pools; forks keep each file's threads isolated.
    pool: 'forks',
  },
});
