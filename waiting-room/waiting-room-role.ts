// The waiting-room role: joins, queue tokens and the Socket.IO gateway (built in the waiting-room issue).
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';

export function startWaitingRoom(platform: Platform): Promise<RunningRole> {
  return startHttpRole(platform, { role: 'waiting-room', portVariable: 'WAITING_ROOM_PORT', dependencies: ['redis'] });
}
