// A mariadbd a chaos scenario owns: its own datadir under a temp folder, a free port, a socket of its
// own; started as scripts/stack/services.ts starts the stack's (no defaults file, socket-auth root),
// with a small buffer pool. The scenario may SIGKILL it and start it again on the same datadir.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mariadb from 'mariadb';

import { killServer, sleep } from './chaos-harness.js';
const isRoot = () => process.getuid?.() === 0;

export class OwnMariadb {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(path.join(tmpdir(), 'corral-chaos-mariadb-'));
  private readonly socketPath: string;

  constructor(readonly port: number) {
    this.socketPath = path.join(this.dir, 'mariadbd.sock');
  }

  /** The app's URL: user corral, database corral, as the local stack. */
  get url(): string {
    return `mysql://corral:corral@127.0.0.1:${this.port}/corral`;
  }

  /** Installs the system tables, starts, and creates the app's user and database. */
  async install(): Promise<void> {
    execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${path.join(this.dir, 'data')}`, '--auth-root-authentication-method=socket', '--skip-test-db', ...(isRoot() ? ['--user=root'] : [])], { stdio: 'ignore' });
    await this.start();
    const root = await mariadb.createConnection({ socketPath: this.socketPath, user: 'root', connectTimeout: 2_000 });
    try {
      await root.query('CREATE DATABASE IF NOT EXISTS corral CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
      for (const host of ['%', 'localhost']) {
        await root.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', ['corral', host, 'corral']);
        await root.query('GRANT ALL PRIVILEGES ON *.* TO ?@?', ['corral', host]);
      }
    } finally {
      await root.end();
    }
  }

  /** Starts on the existing datadir and resolves once the app's port answers (crash recovery included). */
  async start(): Promise<void> {
    const args = [
      '--no-defaults',
      `--datadir=${path.join(this.dir, 'data')}`,
      `--port=${this.port}`,
      '--bind-address=127.0.0.1',
      `--socket=${this.socketPath}`,
      `--pid-file=${path.join(this.dir, 'mariadbd.pid')}`,
      '--skip-name-resolve',
      '--max-connections=200',
      '--innodb-buffer-pool-size=32M',
      '--performance-schema=OFF',
      ...(isRoot() ? ['--user=root'] : []),
    ];
    const child = spawn('mariadbd', args, { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const probe = await mariadb.createConnection({ socketPath: this.socketPath, user: 'root', connectTimeout: 1_000 });
        await probe.query('SELECT 1');
        await probe.end();
        return;
      } catch {
        // not up yet
      }
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`mariadbd on ${this.port} did not start`);
      await sleep(100);
    }
  }

  /** SIGKILL: no shutdown, InnoDB recovers from its redo log at the next start. */
  async kill(): Promise<void> {
    await killServer(this.child);
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
