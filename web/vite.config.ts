// Builds the fan and organizer pages into web/dist, which the api role serves (api/web-routes.ts).
// No React plugin: Vite's own Oxc transform compiles JSX for the build; Fast Refresh is not needed.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  // `npx vite --config web/vite.config.ts` during development: run the roles with
  // WEB_ORIGIN=http://127.0.0.1:5173 so they answer this origin.
  server: { host: '127.0.0.1', port: 5173, proxy: { '/api': 'http://127.0.0.1:3000', '/config.json': 'http://127.0.0.1:3000' } },
});
