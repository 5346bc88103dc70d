// The specs' `test`: a worker-scoped E2eStack (the roles, on the worker's browser), and per test the
// same stack whose screenshots are attached to the HTML report and whose contexts close afterwards
// (after their traces and failure screenshots are taken).
import { test as base } from '@playwright/test';
import { startE2eStack, type E2eStack } from './e2e-stack.js';

export { expect } from '@playwright/test';
export type { E2eStack } from './e2e-stack.js';

export const test = base.extend<{ stack: E2eStack }, { e2e: E2eStack }>({
  e2e: [
    async ({ browser }, use) => {
      const stack = await startE2eStack(browser);
      try {
        await use(stack);
      } finally {
        await stack.close();
      }
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  stack: async ({ e2e }, use, testInfo) => {
    await use({
      ...e2e,
      async screenshot(page, name) {
        const file = await e2e.screenshot(page, name);
        await testInfo.attach(name, { path: file, contentType: 'image/png' });
        return file;
      },
    });
    await e2e.closeContexts();
  },
});
