// Jest runs TypeScript as native ESM through swc (no type-check here; `npm run typecheck` does that).
// Integration suites need the local stack: test/global-setup.mjs starts it when it is not already up.
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/**/*.test.ts'],
  // test/e2e/ holds the Playwright specs (npx playwright test; npm test runs both runners).
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.local/', '<rootDir>/web/(?!src/)', '<rootDir>/test/e2e/'],
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summary-reporter.cjs'],
};
