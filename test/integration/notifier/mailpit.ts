// Mailpit for the notifier suites: a client of its HTTP API (the inbox), and a Mailpit of a suite's
// own (free ports, its own database under .local/data) that the suite can kill and start again.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { mailpitHttpUrl, stackPaths } from '../../../scripts/stack/stack-config.js';
import { freePort } from '../../free-port.js';
export { freePort };

export interface MailpitSummary {
  ID: string;
  MessageID: string;
  Subject: string;
  To: Array<{ Name: string; Address: string }>;
}

export interface MailpitMessage extends MailpitSummary {
  Text: string;
  HTML: string;
}

export class MailpitClient {
  constructor(readonly httpUrl: string = mailpitHttpUrl()) {}

  /** Every stored message addressed to `address`. */
  async to(address: string): Promise<MailpitSummary[]> {
    const url = new URL('/api/v1/search', this.httpUrl);
    url.searchParams.set('query', `to:"${address}"`);
    url.searchParams.set('limit', '500');
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`Mailpit search answered HTTP ${response.status}`);
    const body = (await response.json()) as { messages: MailpitSummary[] };
    // The search matches substrings; keep exact recipients only.
    return body.messages.filter((message) => message.To.some((to) => to.Address.toLowerCase() === address.toLowerCase()));
  }

  async message(id: string): Promise<MailpitMessage> {
    const response = await fetch(new URL(`/api/v1/message/${id}`, this.httpUrl), { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`Mailpit message ${id} answered HTTP ${response.status}`);
    return (await response.json()) as MailpitMessage;
  }
}


export interface OwnMailpit {
  smtpUrl: string;
  client: MailpitClient;
  /** SIGKILL: the server dies mid-conversation, as a crashed mail server would. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and database (what it stored survives). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A Mailpit on free ports; `allowedRecipients` is its regex of accepted recipients (others get 550). */
export async function startOwnMailpit(label: string, allowedRecipients?: string): Promise<OwnMailpit> {
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  const dir = path.join(stackPaths().data, `test-mailpit-${label}`);
  mkdirSync(dir, { recursive: true });
  const binary = path.join(stackPaths().vendor, 'bin', 'mailpit');
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  const args = [
    '--smtp', `127.0.0.1:${smtpPort}`,
    '--listen', `127.0.0.1:${httpPort}`,
    '--database', path.join(dir, 'mailpit.db'),
    '--disable-version-check',
    '--smtp-disable-rdns',
    ...(allowedRecipients ? ['--smtp-allowed-recipients', allowedRecipients] : []),
  ];
  const start = async () => {
    child = spawn(binary, args, { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const response = await fetch(`${httpUrl}/api/v1/info`, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`own Mailpit did not answer at ${httpUrl} within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGKILL');
    });
  };
  await start();
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    client: new MailpitClient(httpUrl),
    kill,
    start,
    async close() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
