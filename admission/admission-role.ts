// The admission role: per-event admission ticker, passes and JWKS (built in the waiting-room issue).
import type { Platform } from '../lib/platform.js';
import { startHttpRole, type RunningRole } from '../lib/role.js';

export function startAdmission(platform: Platform): Promise<RunningRole> {
  return startHttpRole(platform, { role: 'admission', portVariable: 'ADMISSION_PORT', dependencies: ['redis'] });
}
