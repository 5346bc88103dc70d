// The web pages (web/, built by Vite to web/dist) served by the api role: /config.json tells the pages
// where the waiting-room and admission roles answer, hashed assets are cached for good, and any other
// GET that is not an API path gets index.html so the page's own router takes over (SPA fallback).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import type { Config } from '../lib/config.js';

/** What the pages read at start; the browser's view of the other roles. */
export interface WebConfig {
  waitingRoomUrl: string;
  admissionUrl: string;
}

export function webConfigOf(config: Config): WebConfig {
  return {
    waitingRoomUrl: stripSlash(config.PUBLIC_WAITING_ROOM_URL ?? `http://${config.HOST}:${config.WAITING_ROOM_PORT}`),
    admissionUrl: stripSlash(config.PUBLIC_ADMISSION_URL ?? `http://${config.HOST}:${config.ADMISSION_PORT}`),
  };
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** web/dist from the source tree (tests run the .ts) or from dist/api (the built role). */
export function defaultWebDistDir(): string | undefined {
  return ['../web/dist', '../../web/dist']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((dir) => existsSync(`${dir}/index.html`));
}

// Paths the fallback must leave to the 404 handler: APIs, platform endpoints, and missing assets.
const NOT_A_PAGE = /^\/(api|assets|\.well-known|healthz|readyz|metrics)(\/|$)/;

export function mountWebRoutes(app: Express, webConfig: WebConfig, distDir: string | undefined = defaultWebDistDir()): void {
  app.get('/config.json', (_req, res) => {
    res.set('Cache-Control', 'no-store').json(webConfig);
  });
  if (distDir === undefined) {
    app.get('/', (_req, res) => {
      res.status(503).type('text/plain').send('The web pages are not built: run `npm run build:web`.\n');
    });
    return;
  }
  // Vite names assets by content hash, so they never change under one name.
  app.use('/assets', express.static(`${distDir}/assets`, { immutable: true, maxAge: '365d' }));
  app.use(express.static(distDir, { index: false, maxAge: 0 }));
  app.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_A_PAGE.test(req.path) || !req.accepts('html')) return next();
    res.set('Cache-Control', 'no-cache').sendFile(`${distDir}/index.html`);
  });
}
