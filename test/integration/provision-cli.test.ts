// `provision-cli` (the Helm chart's pre-install/pre-upgrade hook) against the real servers: it is
// idempotent on a provisioned stack, creates tables under a new prefix, and refuses bad flags.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DeleteTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamo, tableNames } from '../../lib/dynamo.js';
import { parseProvisionArgs } from '../../scripts/provision-cli.js';
import { config, uniqueName } from './platform-env.js';

const run = promisify(execFile);
const cli = path.resolve(import.meta.dirname, '../../dist/scripts/provision-cli.js');

async function provision(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('provision-cli', () => {
  it('parses its flags, with defaults for a single local broker', () => {
    expect(parseProvisionArgs([])).toEqual({ 'skip-tables': false, 'topic-partitions': 3, 'topic-replication-factor': 1 });
    expect(parseProvisionArgs(['--skip-tables', '--topic-partitions=6', '--topic-replication-factor=3'])).toEqual({ 'skip-tables': true, 'topic-partitions': 6, 'topic-replication-factor': 3 });
    expect(() => parseProvisionArgs(['--topic-partitions=0'])).toThrow(/--topic-partitions/);
    expect(() => parseProvisionArgs(['--tables'])).toThrow(/usage: provision-cli/);
  });

  it('is a no-op on a provisioned stack and says what it found', async () => {
    const result = await provision(['--skip-tables']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Kafka topics present');
    expect(result.stdout).toMatch(/applied 0 migration\(s\); \d+ already applied/);
  });

  it('creates the DynamoDB tables of a new prefix once', async () => {
    const prefix = `${uniqueName('prov')}-`;
    const { client } = createDynamo(config);
    try {
      expect((await provision([], { DYNAMODB_TABLE_PREFIX: prefix })).stdout).toContain('created DynamoDB tables');
      expect((await provision([], { DYNAMODB_TABLE_PREFIX: prefix })).stdout).toContain('DynamoDB tables already exist');
      const names = (await client.send(new ListTablesCommand({}))).TableNames ?? [];
      expect(names).toEqual(expect.arrayContaining(Object.values(tableNames(prefix))));
    } finally {
      for (const table of Object.values(tableNames(prefix))) await client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
      client.destroy();
    }
  });

  it('answers a bad flag with its usage and exit code 2, touching nothing', async () => {
    const result = await provision(['--topic-replication-factor=zero']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--topic-replication-factor');
    expect(result.stderr).toContain('usage: provision-cli');
  });
});
