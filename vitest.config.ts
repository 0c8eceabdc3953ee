import { defineConfig } from 'vitest/config';

// Workspace packages are consumed from source in tests (the `source` export condition).
// No `import` here: Vitest hands these conditions to Node as `--conditions` for externalized
// packages, and `import` makes CommonJS `require` pick ESM entries (express 5's router then gets a
// module namespace instead of a function from `require('is-promise')`). Vite adds `import` itself.
const resolve = { conditions: ['source', 'module', 'node', 'default'] };
const shared = {
  resolve,
  ssr: { resolve: { conditions: resolve.conditions, externalConditions: ['source'] } },
};

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['{apps,packages}/*/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', '**/node_modules/**'],
        },
      },
      {
        ...shared,
        test: {
          name: 'integration',
          include: ['{apps,packages}/*/src/**/*.int.test.ts'],
          globalSetup: ['packages/testing/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['packages/e2e/src/**/*.e2e.test.ts'],
          globalSetup: ['packages/testing/src/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
