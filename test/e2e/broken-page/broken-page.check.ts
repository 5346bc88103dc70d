// A deploy gone wrong: the fan page's HTML is served but its script bundle answers 404, so the app
// never renders. The spec expects what a fan should see and must fail (with a trace).
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';

const INDEX = new URL('../../../web/dist/index.html', import.meta.url);
let server: Server;
let url = '';

test.beforeAll(async () => {
  const html = readFileSync(INDEX, 'utf8');
  server = createServer((request, response) => {
    if (request.url === '/' || request.url === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(html);
    } else {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test('the fan home page lists events', async ({ page }) => {
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
});
