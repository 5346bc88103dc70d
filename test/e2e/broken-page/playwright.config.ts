// The project's Playwright configuration pointed at one deliberately broken page (see
// broken-page.check.ts), with no stack: test/playwright-failure.test.ts runs it to show that a
// failing browser spec fails the run and keeps a trace and a screenshot.
import { defineConfig } from '@playwright/test';
import base from '../../../playwright.config.js';

export default defineConfig({
  ...base,
  testDir: '.',
  testMatch: '*.check.ts',
  outputDir: process.env.CORRAL_BROKEN_OUTPUT ?? 'test-results/broken-page',
  globalSetup: undefined,
  retries: 0,
  timeout: 20_000,
  expect: { timeout: 3_000 },
  reporter: [['line']],
});
