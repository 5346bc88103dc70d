// Stops the servers global-setup.mjs started (never ones it found already running).
import { stopServices } from '../dist/scripts/stack/stack.js';

export default async function globalTeardown() {
  if (globalThis.corralStack) await stopServices(globalThis.corralStack);
}
