import { defineConfig } from 'vitest/config';

// One runner for every workspace: unit tests live next to the code (`*.test.ts`),
// integration tests under `server/test/`. Model work is CPU-heavy on small machines,
// so files run in forks with generous timeouts; speed is measured by `npm run bench:*`.
export default defineConfig({
  test: {
    include: [
      'shared/src/**/*.test.ts',
      'server/src/**/*.test.ts',
      'server/test/**/*.test.ts',
      'client/src/**/*.test.{ts,tsx}',
    ],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
