// The registry of roles: one codebase, one image, the role chosen at start.
import { startAdmission } from './admission/admission-role.js';
import { startApi } from './api/api-role.js';
import type { Platform } from './lib/platform.js';
import { ROLES, type RoleName, type RunningRole } from './lib/role.js';
import { startWaitingRoom } from './waiting-room/waiting-room-role.js';
import { startIndexer } from './workers/indexer-role.js';
import { startNotifier } from './workers/notifier-role.js';
import { startRelay } from './workers/relay-role.js';
import { startWorker } from './workers/worker-role.js';

const starters: Record<RoleName, (platform: Platform) => Promise<RunningRole>> = {
  api: startApi,
  'waiting-room': startWaitingRoom,
  admission: startAdmission,
  worker: startWorker,
  relay: startRelay,
  indexer: startIndexer,
  notifier: (platform) => startNotifier(platform),
};

export function parseRoles(argument: string | undefined): RoleName[] {
  if (argument === 'all') return [...ROLES];
  if (argument && (ROLES as readonly string[]).includes(argument)) return [argument as RoleName];
  throw new Error(`usage: corral <${[...ROLES, 'all'].join(' | ')}>${argument ? ` (got "${argument}")` : ''}`);
}

/** Starts the roles in order; if one fails, stops those already started and rethrows. */
export async function startRoles(names: RoleName[], platform: Platform): Promise<RunningRole[]> {
  const running: RunningRole[] = [];
  try {
    for (const name of names) running.push(await starters[name](platform));
  } catch (error) {
    await stopRoles(running);
    throw error;
  }
  return running;
}

export async function stopRoles(running: RunningRole[]): Promise<void> {
  for (const role of [...running].reverse()) await role.stop();
}
