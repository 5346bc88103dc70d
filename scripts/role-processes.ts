// The roles of `npm start`, each in a process of its own (`node dist/main.js <role>`), as each is a
// pod of its own in production: the roles share the machine's cores, and a busy one (the workers in
// a sale, the api under seat-map reads) does not stall another's event loop. Each child says it is
// ready over IPC (main.ts); one that exits while the system runs is reported and ends the run, so a
// crash is never hidden behind a half-working system.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RoleName } from '../lib/role.js';

export interface RoleProcess {
  role: RoleName;
  url: string;
  pid: number;
  child: ChildProcess;
}

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
/** How long a role may take to stop after SIGTERM before it is killed (its own drains are shorter). */
const STOP_GRACE_MS = 15_000;
/** How long a role may take to become ready (servers are up already; it connects and listens). */
const START_TIMEOUT_MS = 60_000;

interface ReadyMessage {
  ready: Array<{ role: RoleName; url: string }>;
}

function isReady(message: unknown): message is ReadyMessage {
  return typeof message === 'object' && message !== null && Array.isArray((message as ReadyMessage).ready);
}

function startRoleProcess(role: RoleName, env: NodeJS.ProcessEnv): Promise<RoleProcess> {
  const child = fork(MAIN, [role], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`role ${role} was not ready within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`role ${role} exited before it was ready (${signal ?? `code ${code}`}); its log line above says why`));
    };
    child.once('exit', onExit);
    child.on('message', (message) => {
      if (!isReady(message)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      const url = message.ready.find((entry) => entry.role === role)?.url ?? '';
      resolve({ role, url, pid: child.pid!, child });
    });
  });
}

/** Starts the roles in order, each once the one before is ready; if one fails, stops those started. */
export async function startRoleProcesses(roles: RoleName[], env: NodeJS.ProcessEnv = process.env): Promise<RoleProcess[]> {
  const running: RoleProcess[] = [];
  try {
    for (const role of roles) running.push(await startRoleProcess(role, env));
  } catch (error) {
    await stopRoleProcesses(running);
    throw error;
  }
  return running;
}

/** Calls `onExit` for the first role that exits on its own (not through stopRoleProcesses). */
export function watchRoleProcesses(running: RoleProcess[], onExit: (role: RoleName, code: number | null, signal: NodeJS.Signals | null) => void): void {
  for (const process of running) {
    process.child.once('exit', (code, signal) => {
      if (!stopping.has(process.child)) onExit(process.role, code, signal);
    });
  }
}

const stopping = new WeakSet<ChildProcess>();

/** SIGTERM to every role (last started first, all at once), SIGKILL to any still running after the grace. */
export async function stopRoleProcesses(running: RoleProcess[]): Promise<void> {
  await Promise.all(
    [...running].reverse().map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          stopping.add(child);
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}
