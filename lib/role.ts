// What every role is to main.ts: something that starts, answers on its own port, and stops.
import type { Server } from 'node:http';
import type { Express } from 'express';
import type { ConfigKey } from './config.js';
import type { DependencyCheck } from './health.js';
import { closeServer, createHttpApp, listen } from './http.js';
import type { Dependency, Platform } from './platform.js';

export const ROLES = ['api', 'waiting-room', 'admission', 'worker', 'relay', 'indexer', 'notifier'] as const;
export type RoleName = (typeof ROLES)[number];

export interface RunningRole {
  role: RoleName;
  url: string;
  stop(): Promise<void>;
}

export interface HttpRoleOptions {
  role: RoleName;
  portVariable: ConfigKey;
  dependencies: Dependency[];
  /** Role-specific readiness beyond its servers (e.g. a relay's last pass). */
  extraChecks?: DependencyCheck[];
  routes?: (app: Express) => void;
  /** Runs after the HTTP server stops, before the platform closes. */
  onStop?: () => Promise<void>;
  /** Gives the role the listening server (Socket.IO attaches to it). */
  onListening?: (server: Server) => void;
}

export async function startHttpRole(platform: Platform, options: HttpRoleOptions): Promise<RunningRole> {
  const { config } = platform;
  const port = config[options.portVariable] as number;
  const log = platform.log.child({ role: options.role });
  const app = createHttpApp({
    role: options.role,
    log,
    checks: [...platform.checks(options.dependencies), ...(options.extraChecks ?? [])],
    dependencyTimeoutMs: config.DEPENDENCY_TIMEOUT_MS,
    slowRequestMs: config.SLOW_REQUEST_MS,
    routes: options.routes,
  });
  const server = await listen(app, config.HOST, port, options.portVariable);
  options.onListening?.(server);
  log.info({ port }, 'role listening');
  return {
    role: options.role,
    url: `http://${config.HOST}:${port}`,
    stop: async () => {
      await closeServer(server);
      await options.onStop?.();
    },
  };
}
