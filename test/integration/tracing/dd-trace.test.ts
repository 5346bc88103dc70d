// Tracing as production turns it on (docs/configuration.md "Tracing"): the api role started with
// `--import dd-trace/initialize.mjs` sends its spans to the Datadog agent and stamps its JSON logs
// with the trace id. The agent is the boundary here, so a small HTTP server stands in for it and
// keeps what it receives; the api runs against the real stack.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { waitFor } from '../relay/booking-sale.js';
import { freePort } from '../../free-port.js';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

interface AgentRequest {
  method: string;
  url: string;
  body: Buffer;
}


describe('dd-trace on a role (real stack, stand-in agent)', () => {
  const received: AgentRequest[] = [];
  let agent: Server;
  let role: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    agent = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"rate_by_service":{}}');
      });
    });
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    role?.kill('SIGTERM');
    await new Promise((resolve) => agent.close(resolve));
  });

  it('sends the request spans to the agent and puts the trace id in the request log', async () => {
    const apiPort = await freePort();
    role = spawn(process.execPath, ['--import', 'dd-trace/initialize.mjs', path.join(repoRoot, 'dist/main.js'), 'api'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        API_PORT: String(apiPort),
        LOG_LEVEL: 'info',
        DD_TRACE_AGENT_URL: `http://127.0.0.1:${(agent.address() as AddressInfo).port}`,
        DD_SERVICE: 'corral-api-test',
        DD_ENV: 'test',
        DD_LOGS_INJECTION: 'true',
        DD_TRACE_FLUSH_INTERVAL: '200',
        DD_REMOTE_CONFIGURATION_ENABLED: 'false',
        DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    role.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    role.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const base = `http://127.0.0.1:${apiPort}`;
    await waitFor('the api to answer', 30_000, async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true);

    const response = await fetch(`${base}/api/events?size=1`, { headers: { 'x-request-id': 'trace-me-1' } });
    expect(response.status).toBe(200);
    // Readiness touches every dependency of the role: each call is a span of its own.
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // Spans travel msgpack-encoded; their names and the service are plain strings inside.
    const payload = () => Buffer.concat(received.filter((request) => /^\/v0\.[45]\/traces$/.test(request.url)).map((request) => request.body)).toString('latin1');
    await waitFor('the request and dependency spans at the agent', 20_000, () => ['express.request', 'redis.command', 'aws.request', 'corral-api-test'].every((name) => payload().includes(name)));
    expect(payload()).toContain('DynamoDB');

    await waitFor('the request log line', 10_000, () => output.includes('trace-me-1'));
    const logLine = output.split('\n').find((line) => line.includes('"trace-me-1"') && line.includes('"dd"'));
    expect(logLine).toBeDefined();
    const parsed = JSON.parse(logLine!) as { dd?: { trace_id?: string; service?: string } };
    // 128-bit trace ids, as hex (or decimal for 64-bit ones).
    expect(parsed.dd?.trace_id).toMatch(/^[0-9a-f]{16,32}$|^\d+$/);
    expect(parsed.dd?.service).toBe('corral-api-test');
  });
});
