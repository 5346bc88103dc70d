// The browser specs (test/e2e/*.spec.ts): `npx playwright test`, and the second half of `npm test`.
// Debian's Chromium (no browser download), the real roles on free ports per worker (fixtures.ts)
// against the local stack (global-setup.ts starts what is not running). Failures keep a trace and a
// screenshot in test-results/playwright/; the HTML report goes to playwright-report/ (both ignored).
import { defineConfig } from '@playwright/test';

process.env.NODE_ENV ??= 'test';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium's own connections are refused by the closed
// network; --no-sandbox because the tests run as root.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results/playwright',
  globalSetup: './test/e2e/global-setup.ts',
  // The specs share one machine with the stack: one worker, its files one after the other.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['html', { outputFolder: 'playwright-report', open: 'never' }], ['./test/e2e/summary-reporter.ts']],
  use: {
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
