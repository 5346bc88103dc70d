// Shared by integration suites: the config the harness started the stack with, and unique names
// so suites run in parallel without seeing each other's data.
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../lib/config.js';

export const config = loadConfig();

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
