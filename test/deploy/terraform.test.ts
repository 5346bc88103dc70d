// terraform/ parsed offline (@cdktf/hcl2json, WASM) and checked against the code it provisions for: the
// DynamoDB tables are tableDefinitions(), the IRSA policy grants exactly the DynamoDB actions the source
// sends, every reference resolves, only the EKS nodes reach the data stores, and the outputs are the Helm
// values. `terraform` itself never runs here: neither it nor the AWS provider is available on CI.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import hcl2json from '@cdktf/hcl2json';
import { parse as parseYaml } from 'yaml';
import { configSchema } from '../../lib/config.js';
import { tableDefinitions } from '../../lib/dynamo.js';
import { DEFAULT_SHAPE, simulateSale } from '../../scripts/capacity-model.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const terraformRoot = path.join(repoRoot, 'terraform');

type Block = Record<string, unknown>;
/** One Terraform module as hcl2json gives it, its files merged: `resource.<type>.<name>` is a list of blocks. */
interface TerraformModule {
  dir: string;
  resource: Record<string, Record<string, Block[]>>;
  data: Record<string, Record<string, Block[]>>;
  variable: Record<string, Block[]>;
  output: Record<string, Block[]>;
  module: Record<string, Block[]>;
  locals: Block[];
  terraform: Block[];
}

async function loadModule(dir: string): Promise<TerraformModule> {
  const merged: TerraformModule = { dir, resource: {}, data: {}, variable: {}, output: {}, module: {}, locals: [], terraform: [] };
  const files = readdirSync(dir).filter((name) => name.endsWith('.tf'));
  for (const file of files) {
    const parsed = (await hcl2json.parse(file, readFileSync(path.join(dir, file), 'utf8'))) as Record<string, unknown>;
    for (const [kind, content] of Object.entries(parsed)) {
      if (kind === 'resource' || kind === 'data') {
        for (const [type, named] of Object.entries(content as Record<string, Record<string, Block[]>>)) {
          merged[kind][type] = { ...merged[kind][type], ...named };
        }
      } else if (kind === 'variable' || kind === 'output' || kind === 'module') {
        Object.assign(merged[kind], content);
      } else if (kind === 'locals' || kind === 'terraform') {
        merged[kind].push(...(content as Block[]));
      } else if (kind !== 'provider') {
        throw new Error(`${dir}/${file}: unexpected top-level ${kind}`);
      }
    }
  }
  return merged;
}

const single = (blocks: Block[] | undefined, what: string): Block => {
  if (blocks?.length !== 1) throw new Error(`expected one ${what}, found ${blocks?.length ?? 0}`);
  return blocks[0]!;
};
const nested = (block: Block, name: string): Block[] => (block[name] as Block[] | undefined) ?? [];
const resourcesOf = (module: TerraformModule, type: string) => Object.entries(module.resource[type] ?? {}).map(([name, blocks]) => ({ name, block: single(blocks, `${type}.${name}`) }));
const variableDefault = (module: TerraformModule, name: string) => single(module.variable[name], `variable ${name}`).default;
const outputValue = (module: TerraformModule, name: string) => single(module.output[name], `output ${name}`).value;

/** Every string in a parsed block (keys too): where hcl2json leaves the expressions, as "${…}". */
function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsIn(item);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* stringsIn(item);
    }
  }
}

/** The child module a root `module` block loads. */
const childDir = (call: Block) => path.resolve(terraformRoot, String(call.source));

/**
 * A string expression of a child module with its `${var.x}` parts replaced by what the root passes
 * (itself resolved against the root's defaults). Anything else left in `${…}` is an error: the
 * comparisons below are meant to be with literal values.
 */
function resolveInChild(expression: string, root: TerraformModule, call: Block): string {
  const resolved = expression.replace(/\$\{var\.(\w+)\}/g, (_, name: string) => {
    const passed = call[name];
    if (typeof passed !== 'string') throw new Error(`module call does not pass ${name}`);
    return passed.replace(/\$\{var\.(\w+)\}/g, (__, rootName: string) => String(variableDefault(root, rootName)));
  });
  if (resolved.includes('${')) throw new Error(`cannot resolve ${expression} to a literal`);
  return resolved;
}

let root: TerraformModule;
const children = new Map<string, TerraformModule>();
function child(name: string): TerraformModule {
  const module = children.get(name);
  if (!module) throw new Error(`root calls no module ${name}`);
  return module;
}

beforeAll(async () => {
  root = await loadModule(terraformRoot);
  for (const [name, calls] of Object.entries(root.module)) children.set(name, await loadModule(childDir(single(calls, `module ${name}`))));
});

// --- what the code does ------------------------------------------------------------------------

const productDirs = ['lib', 'api', 'workers', 'booking', 'admission', 'waiting-room', 'catalog', 'accounts', 'search', 'scripts'];

function productSources(): { file: string; source: string }[] {
  const files: string[] = ['main.ts', 'roles.ts'];
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(repoRoot, dir))) {
      const relative = path.join(dir, name);
      if (relative === path.join('lib', 'generated')) continue;
      if (statSync(path.join(repoRoot, relative)).isDirectory()) walk(relative);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) files.push(relative);
    }
  };
  productDirs.forEach(walk);
  return files.map((file) => ({ file, source: readFileSync(path.join(repoRoot, file), 'utf8') }));
}

// The DocumentClient's commands are named after the item, not the API action IAM knows.
const documentClientActions: Record<string, string[] | 'transaction-items'> = {
  GetCommand: ['GetItem'],
  PutCommand: ['PutItem'],
  UpdateCommand: ['UpdateItem'],
  DeleteCommand: ['DeleteItem'],
  QueryCommand: ['Query'],
  ScanCommand: ['Scan'],
  BatchGetCommand: ['BatchGetItem'],
  BatchWriteCommand: ['BatchWriteItem'],
  TransactGetCommand: ['GetItem'],
  TransactWriteCommand: 'transaction-items',
};
// IAM has no TransactWriteItems action: each item of a transaction needs its own item action.
const transactionItemActions: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' };
const dynamoPackages = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-dynamodb-streams'];

/** The IAM actions behind one SDK command; 'transaction-items' when they are those of the items sent. */
function iamActionsOf(packageName: string, command: string): string[] | 'transaction-items' | undefined {
  if (packageName === '@aws-sdk/lib-dynamodb') return documentClientActions[command];
  const operation = command.replace(/Command$/, '');
  if (operation === 'TransactWriteItems') return 'transaction-items';
  if (operation === 'TransactGetItems') return ['GetItem'];
  // PartiQL statements are authorised per statement kind: map them by hand when the code uses one.
  if (/Statement|ExecuteTransaction/.test(operation)) return undefined;
  return [operation];
}

/** Every IAM action (without `dynamodb:`) behind a `new XxxCommand(` of the DynamoDB SDKs in the product source. */
function dynamoActionsInSource(): { actions: Set<string>; files: Map<string, string[]> } {
  const actions = new Set<string>();
  const files = new Map<string, string[]>();
  const record = (action: string, file: string) => {
    actions.add(action);
    files.set(action, [...(files.get(action) ?? []), file]);
  };
  const sources = productSources();
  let needsTransactionItems = false;
  for (const { file, source } of sources) {
    for (const match of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      const packageName = match[2]!;
      if (!dynamoPackages.includes(packageName)) continue;
      for (const specifier of match[1]!.split(',')) {
        const [imported, local = imported] = specifier.replace(/^\s*type\s+/, '').split(/\s+as\s+/).map((part) => part.trim());
        if (!imported?.endsWith('Command') || !new RegExp(`new\\s+${local}\\s*\\(`).test(source)) continue;
        const mapped = iamActionsOf(packageName, imported);
        if (mapped === undefined) throw new Error(`${file}: no IAM mapping for ${imported}; add it to this test`);
        if (mapped === 'transaction-items') needsTransactionItems = true;
        else mapped.forEach((action) => record(action, file));
      }
    }
  }
  if (needsTransactionItems) {
    // Transaction items are the objects keyed Put/Update/Delete/ConditionCheck next to a TableName.
    for (const { file, source } of sources.filter(({ source }) => source.includes('TableName'))) {
      for (const match of source.matchAll(/\b(Put|Update|Delete|ConditionCheck)\s*:\s*\{/g)) record(transactionItemActions[match[1]!]!, file);
    }
  }
  return { actions, files };
}

// Actions IAM cannot scope to a table or stream (their only resource is "*").
const unscopableActions = new Set(['ListTables', 'ListStreams']);
const streamActions = new Set(['DescribeStream', 'GetRecords', 'GetShardIterator']);

describe('terraform/', () => {
  it('pins terraform >= 1.6 and hashicorp/aws ~> 5.81', () => {
    const settings = single(root.terraform, 'terraform block');
    expect(settings.required_version).toBe('>= 1.6');
    const providers = single(settings.required_providers as Block[], 'required_providers');
    expect(providers.aws).toEqual({ source: 'hashicorp/aws', version: '~> 5.81' });
  });

  it('creates exactly the DynamoDB tables of tableDefinitions(), named with the prefix default', () => {
    const call = single(root.module.dynamodb, 'module dynamodb');
    const prefix = variableDefault(root, 'dynamodb_table_prefix');
    expect(typeof prefix).toBe('string');
    const keySchema = (hash: unknown, range: unknown) => [
      { AttributeName: hash, KeyType: 'HASH' },
      ...(range === undefined ? [] : [{ AttributeName: range, KeyType: 'RANGE' }]),
    ];
    const index = (block: Block) => ({
      IndexName: block.name,
      KeySchema: keySchema(block.hash_key, block.range_key),
      Projection: { ProjectionType: block.projection_type, ...(block.non_key_attributes ? { NonKeyAttributes: block.non_key_attributes } : {}) },
    });
    const fromTerraform = resourcesOf(child('dynamodb'), 'aws_dynamodb_table').map(({ block }) => ({
      TableName: resolveInChild(String(block.name), root, call),
      BillingMode: block.billing_mode,
      KeySchema: keySchema(block.hash_key, block.range_key),
      AttributeDefinitions: nested(block, 'attribute').map((attribute) => ({ AttributeName: attribute.name, AttributeType: attribute.type })).sort(byName),
      GlobalSecondaryIndexes: nested(block, 'global_secondary_index').map(index),
      LocalSecondaryIndexes: nested(block, 'local_secondary_index').map(index),
      StreamSpecification: block.stream_enabled === true ? { StreamEnabled: true, StreamViewType: block.stream_view_type } : undefined,
    }));
    const fromCode = tableDefinitions(prefix as string).map((definition) => ({
      TableName: definition.TableName,
      BillingMode: definition.BillingMode,
      KeySchema: definition.KeySchema,
      AttributeDefinitions: [...(definition.AttributeDefinitions ?? [])].sort(byName),
      GlobalSecondaryIndexes: (definition.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
      LocalSecondaryIndexes: (definition.LocalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
      StreamSpecification: definition.StreamSpecification?.StreamEnabled ? definition.StreamSpecification : undefined,
    }));
    const byTable = (a: { TableName?: unknown }, b: { TableName?: unknown }) => String(a.TableName).localeCompare(String(b.TableName));
    expect(fromTerraform.sort(byTable)).toEqual(fromCode.sort(byTable));
  });

  it('keeps the inventory table warm for the peak npm run capacity measures for the planned sale', () => {
    const call = single(root.module.dynamodb, 'module dynamodb');
    expect(call.inventory_warm_throughput).toBe('${var.dynamodb_inventory_warm_throughput}');
    const [inventory] = resourcesOf(child('dynamodb'), 'aws_dynamodb_table').filter(({ name }) => name === 'inventory');
    expect(single(nested(inventory!.block, 'warm_throughput'), 'warm_throughput')).toEqual({
      read_units_per_second: '${var.inventory_warm_throughput.read_units_per_second}',
      write_units_per_second: '${var.inventory_warm_throughput.write_units_per_second}',
    });
    // The default covers the capacity model's table-wide peak second for the sale DESIGN plans for.
    const warm = variableDefault(root, 'dynamodb_inventory_warm_throughput') as { read_units_per_second: number; write_units_per_second: number };
    const [layout] = simulateSale(DEFAULT_SHAPE).layouts;
    const peak = layout!.peakTableSecond[tableDefinitions(variableDefault(root, 'dynamodb_table_prefix') as string)[0]!.TableName!]!;
    expect(warm.write_units_per_second).toBeGreaterThanOrEqual(peak.wcuPerSecond);
    expect(warm.read_units_per_second).toBeGreaterThanOrEqual(peak.rcuPerSecond);
    // …and not by a careless margin: within the next thousand units.
    expect(warm.write_units_per_second - peak.wcuPerSecond).toBeLessThan(1_000);
    expect(warm.read_units_per_second - peak.rcuPerSecond).toBeLessThan(1_000);
  }, 120_000);

  it('keeps point-in-time recovery, deletion protection and TTL on an attribute the code uses for nothing else', () => {
    const call = single(root.module.dynamodb, 'module dynamodb');
    const ttlAttribute = variableDefault(root, 'dynamodb_ttl_attribute');
    // Attributes that must never drive TTL: the keys, and the millisecond timestamps items carry
    // (TTL reads epoch seconds, and a TTL on heldUntil would delete seats).
    const keys = tableDefinitions('').flatMap((definition) => (definition.AttributeDefinitions ?? []).map((attribute) => attribute.AttributeName!));
    const bookingKeys = readFileSync(path.join(repoRoot, 'booking/booking-keys.ts'), 'utf8');
    const itemTimestamps = [...bookingKeys.matchAll(/export interface \w+Item \{([^}]*)\}/g)].flatMap((match) =>
      [...match[1]!.matchAll(/(\w+(?:At|Until))\??:\s*number/g)].map((field) => field[1]!),
    );
    const outboxEnvelope = readFileSync(path.join(repoRoot, 'workers/relay/outbox-envelope.ts'), 'utf8');
    const outboxTimestamps = [...outboxEnvelope.matchAll(/\b(at|\w+At):\s*z\./g)].map((field) => field[1]!);
    expect(itemTimestamps).toContain('heldUntil');
    expect(outboxTimestamps).toContain('at');
    const forbidden = [...keys, ...itemTimestamps, ...outboxTimestamps];
    expect(forbidden).not.toContain(ttlAttribute);
    // The variable's own validation refuses each of them too.
    const validation = single(single(root.variable.dynamodb_ttl_attribute, 'variable').validation as Block[], 'validation').condition as string;
    for (const name of forbidden) expect(validation).toContain(`"${name}"`);

    expect(call.deletion_protection).toBe('${var.dynamodb_deletion_protection}');
    expect(variableDefault(root, 'dynamodb_deletion_protection')).toBe(true);
    for (const { name, block } of resourcesOf(child('dynamodb'), 'aws_dynamodb_table')) {
      expect([name, nested(block, 'point_in_time_recovery')]).toEqual([name, [{ enabled: true }]]);
      expect([name, block.deletion_protection_enabled]).toEqual([name, '${var.deletion_protection}']);
      const [ttl] = nested(block, 'ttl');
      expect([name, ttl?.enabled, resolveInChild(String(ttl?.attribute_name), root, call)]).toEqual([name, true, ttlAttribute]);
    }
  });

  it('grants the service account exactly the DynamoDB actions the code sends, on the two tables and the outbox stream only', () => {
    const { actions: sent, files } = dynamoActionsInSource();
    // CreateTable is sent only by ensureTables, which no role calls: provision-cli (run by the chart
    // with --skip-tables in AWS) and the local stack do. The IRSA role must not create tables.
    expect(files.get('CreateTable')).toEqual(['lib/dynamo.ts']);
    const callers = productSources().filter(({ file, source }) => file !== 'lib/dynamo.ts' && /\bensureTables\(/.test(source)).map(({ file }) => file);
    expect(callers.length).toBeGreaterThan(0);
    expect(callers.filter((caller) => !caller.startsWith('scripts/'))).toEqual([]);
    const expected = new Set([...sent].filter((action) => action !== 'CreateTable'));
    // The scan itself works: the reserve transaction, the relay and the readiness check are in it.
    expect([...expected]).toEqual(expect.arrayContaining(['PutItem', 'UpdateItem', 'Query', 'DescribeStream', 'ListTables']));

    // The role's one policy is this document.
    const attached = resourcesOf(root, 'aws_iam_role_policy').filter(({ block }) => block.role === '${aws_iam_role.service_account.id}');
    expect(attached.map(({ block }) => block.policy)).toEqual(['${data.aws_iam_policy_document.service_account_dynamodb.json}']);
    const attachments = resourcesOf(root, 'aws_iam_role_policy_attachment').filter(({ block }) => String(block.role).includes('aws_iam_role.service_account'));
    expect(attachments).toEqual([]);

    const dynamodb = child('dynamodb');
    const tables = new Map(resourcesOf(dynamodb, 'aws_dynamodb_table').map(({ name, block }) => [name, block]));
    /** The table a `${module.dynamodb.<output>}` stands for, and what follows it. */
    const tableOf = (resource: string) => {
      const match = /^\$\{module\.dynamodb\.(\w+)\}(.*)$/.exec(resource);
      if (!match) throw new Error(`resource ${resource} is not an ARN of a table of module.dynamodb`);
      const arn = /^\$\{aws_dynamodb_table\.(\w+)\.arn\}$/.exec(String(outputValue(dynamodb, match[1]!)));
      if (!arn || !tables.has(arn[1]!)) throw new Error(`output ${match[1]} is not the ARN of a table`);
      return { table: tables.get(arn[1]!)!, suffix: match[2]! };
    };

    const statements = single(root.data.aws_iam_policy_document?.service_account_dynamodb, 'policy document').statement as Block[];
    const granted = new Set<string>();
    for (const statement of statements) {
      expect([statement.sid, statement.effect ?? 'Allow', statement.not_actions, statement.not_resources, statement.condition]).toEqual([statement.sid, 'Allow', undefined, undefined, undefined]);
      const actions = (statement.actions as string[]).map((action) => {
        expect(action).toMatch(/^dynamodb:[A-Za-z]+$/);
        return action.replace(/^dynamodb:/, '');
      });
      actions.forEach((action) => granted.add(action));
      for (const resource of statement.resources as string[]) {
        if (resource === '*') {
          for (const action of actions) expect([statement.sid, action, unscopableActions.has(action)]).toEqual([statement.sid, action, true]);
          continue;
        }
        const { table, suffix } = tableOf(resource);
        const kind = suffix === '' || suffix === '/index/*' ? 'table' : suffix === '/stream/*' && table.stream_enabled === true ? 'stream' : `unexpected ${suffix}`;
        for (const action of actions) {
          const wanted = streamActions.has(action) ? 'stream' : unscopableActions.has(action) ? '*' : 'table';
          expect([statement.sid, action, resource, kind]).toEqual([statement.sid, action, resource, wanted]);
        }
      }
    }
    expect([...granted].sort()).toEqual([...expected].sort());
  });

  it('lets only the chart ServiceAccount of the configured namespace assume the role', () => {
    const statement = single(single(root.data.aws_iam_policy_document?.service_account_assume, 'assume policy').statement as Block[], 'statement');
    expect(statement.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(statement.principals).toEqual([{ type: 'Federated', identifiers: ['${module.eks.oidc_provider_arn}'] }]);
    expect(statement.condition).toEqual([
      { test: 'StringEquals', variable: '${module.eks.oidc_issuer_host}:sub', values: ['system:serviceaccount:${var.k8s_namespace}:${var.k8s_service_account}'] },
      { test: 'StringEquals', variable: '${module.eks.oidc_issuer_host}:aud', values: ['sts.amazonaws.com'] },
    ]);
    const role = single(root.resource.aws_iam_role?.service_account, 'aws_iam_role.service_account');
    expect(role.assume_role_policy).toBe('${data.aws_iam_policy_document.service_account_assume.json}');
    // The chart must name its ServiceAccount as the trust condition does.
    const values = outputValue(root, 'helm_values') as { serviceAccount: Block };
    expect(values.serviceAccount.name).toBe('${var.k8s_service_account}');
  });

  it('resolves every var, local, module output and resource reference, and declares every variable with a description and a type', () => {
    const problems: string[] = [];
    const modules: [string, TerraformModule][] = [['root', root], ...children.entries()];
    for (const [moduleName, module] of modules) {
      const locals = new Set(module.locals.flatMap((block) => Object.keys(block)));
      const declared = (kind: 'resource' | 'data', type: string, name: string) => module[kind][type]?.[name] !== undefined;
      for (const text of stringsIn(module)) {
        if (!text.includes('${')) continue;
        for (const [, name] of text.matchAll(/(?<![\w.])var\.(\w+)/g)) if (!module.variable[name!]) problems.push(`${moduleName}: var.${name} is not declared`);
        for (const [, name] of text.matchAll(/(?<![\w.])local\.(\w+)/g)) if (!locals.has(name!)) problems.push(`${moduleName}: local.${name} is not declared`);
        for (const [, name, output] of text.matchAll(/(?<![\w.])module\.(\w+)\.(\w+)/g)) {
          const called = moduleName === 'root' ? children.get(name!) : undefined;
          if (!called) problems.push(`${moduleName}: module.${name} is not called`);
          else if (!called.output[output!]) problems.push(`${moduleName}: module.${name} has no output ${output}`);
        }
        for (const [, data, type, name] of text.matchAll(/(?<![\w.])(data\.)?((?:aws|random)_\w+)\.(\w+)/g)) {
          if (!declared(data ? 'data' : 'resource', type!, name!)) problems.push(`${moduleName}: ${data ?? ''}${type}.${name} is not declared`);
        }
      }
      for (const [name, blocks] of Object.entries(module.variable)) {
        const variable = single(blocks, `variable ${name}`);
        if (typeof variable.description !== 'string' || variable.description.length < 10) problems.push(`${moduleName}: variable ${name} has no description`);
        if (variable.type === undefined) problems.push(`${moduleName}: variable ${name} has no type`);
      }
      for (const [name, blocks] of Object.entries(module.output)) {
        if (typeof single(blocks, `output ${name}`).description !== 'string') problems.push(`${moduleName}: output ${name} has no description`);
      }
    }
    // A module call passes exactly the child's variables: none unknown, none required left out.
    for (const [name, calls] of Object.entries(root.module)) {
      const call = single(calls, `module ${name}`);
      const called = child(name);
      const passed = Object.keys(call).filter((key) => !['source', 'providers', 'depends_on', 'count', 'for_each'].includes(key));
      for (const argument of passed) if (!called.variable[argument]) problems.push(`module.${name}: passes unknown variable ${argument}`);
      for (const [variable, blocks] of Object.entries(called.variable)) {
        if (!('default' in single(blocks, variable)) && !passed.includes(variable)) problems.push(`module.${name}: required variable ${variable} not passed`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('lets only the EKS cluster security group reach Redis, MSK, RDS and OpenSearch, on their ports only', () => {
    const stores: Record<string, { attachment: (module: TerraformModule) => unknown; ports: number[] }> = {
      redis: { attachment: (m) => single(m.resource.aws_elasticache_replication_group?.this, 'replication group').security_group_ids, ports: [6379] },
      kafka: { attachment: (m) => single(single(m.resource.aws_msk_cluster?.this, 'msk').broker_node_group_info as Block[], 'broker_node_group_info').security_groups, ports: [9092, 9094, 9096] },
      mysql: { attachment: (m) => single(m.resource.aws_db_instance?.this, 'db').vpc_security_group_ids, ports: [3306] },
      opensearch: { attachment: (m) => single(single(m.resource.aws_opensearch_domain?.this, 'domain').vpc_options as Block[], 'vpc_options').security_group_ids, ports: [443] },
    };
    for (const [name, store] of Object.entries(stores)) {
      const module = child(name);
      expect([name, single(root.module[name], name).client_security_group_id]).toEqual([name, '${module.eks.cluster_security_group_id}']);
      expect([name, store.attachment(module)]).toEqual([name, ['${aws_security_group.this.id}']]);
      const groups = resourcesOf(module, 'aws_security_group');
      expect([name, groups.map(({ block }) => [block.ingress, block.egress])]).toEqual([name, [[undefined, undefined]]]);
      expect([name, module.resource.aws_security_group_rule, module.resource.aws_vpc_security_group_egress_rule]).toEqual([name, undefined, undefined]);
      const rules = resourcesOf(module, 'aws_vpc_security_group_ingress_rule');
      expect(rules.length).toBeGreaterThan(0);
      for (const { block } of rules) {
        expect([name, block.security_group_id, block.referenced_security_group_id, block.cidr_ipv4, block.cidr_ipv6, block.prefix_list_id, block.ip_protocol]).toEqual([
          name,
          '${aws_security_group.this.id}',
          '${var.client_security_group_id}',
          undefined,
          undefined,
          undefined,
          'tcp',
        ]);
        expect([name, block.from_port]).toEqual([name, block.to_port]);
        if (typeof block.from_port === 'number') expect(store.ports).toContain(block.from_port);
      }
    }
    expect(single(child('eks').output.cluster_security_group_id, 'output').value).toBe('${aws_eks_cluster.this.vpc_config[0].cluster_security_group_id}');
  });

  it('defaults Redis and Kafka to what lib/redis.ts and lib/kafka.ts speak, with TLS and no eviction on Redis', () => {
    // What the deployed code can speak: the client, and whether the chart can switch it on.
    const redisClient = readFileSync(path.join(repoRoot, 'lib/redis.ts'), 'utf8');
    const kafkaClient = readFileSync(path.join(repoRoot, 'lib/kafka.ts'), 'utf8');
    const chartHelpers = readFileSync(path.join(repoRoot, 'charts/corral/templates/_helpers.tpl'), 'utf8');
    const speaksRedisCluster = /\bnew Cluster\(/.test(redisClient) && chartHelpers.includes('REDIS_CLUSTER');
    const speaksScram = /\bsasl\s*:/.test(kafkaClient) && /\bssl\s*:/.test(kafkaClient);
    if (!speaksRedisCluster) expect(variableDefault(root, 'redis_cluster_mode')).toBe(false);
    if (!speaksScram) expect(variableDefault(root, 'kafka_client_auth')).toBe('plaintext');

    const redis = child('redis');
    const group = single(redis.resource.aws_elasticache_replication_group?.this, 'replication group');
    expect([group.transit_encryption_enabled, group.at_rest_encryption_enabled, group.automatic_failover_enabled, group.multi_az_enabled]).toEqual([true, true, true, true]);
    const parameters = single(redis.resource.aws_elasticache_parameter_group?.this, 'parameter group').parameter as Block[];
    expect(parameters).toContainEqual({ name: 'maxmemory-policy', value: 'noeviction' });
    expect(single(redis.output.host, 'output host').value).toBe(
      '${var.cluster_mode ? aws_elasticache_replication_group.this.configuration_endpoint_address : aws_elasticache_replication_group.this.primary_endpoint_address}',
    );
    const kafka = child('kafka');
    const encryption = single(single(kafka.resource.aws_msk_cluster?.this, 'msk').encryption_info as Block[], 'encryption_info');
    expect(single(encryption.encryption_in_transit as Block[], 'encryption_in_transit').in_cluster).toBe(true);
  });

  it('gives every Helm value the chart needs from Terraform, and the README maps real outputs to real values', () => {
    const chartValues = parseYaml(readFileSync(path.join(repoRoot, 'charts/corral/values.yaml'), 'utf8')) as Block;
    /** Paths of a values tree; below an empty map (annotations: {}) any key is a value. */
    const paths = (tree: Block, prefix = ''): string[] =>
      Object.entries(tree).flatMap(([key, value]) =>
        value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0 ? paths(value as Block, `${prefix}${key}.`) : [`${prefix}${key}`],
      );
    const chartPaths = new Set(paths(chartValues));
    const inChart = (valuePath: string) => chartPaths.has(valuePath) || [...chartPaths].some((known) => valuePath.startsWith(`${known}.`) && isEmptyMap(chartValues, known));
    const needed = ['awsRegion', 'dynamodb.endpoint', 'dynamodb.tablePrefix', 'redis.host', 'redis.port', 'redis.tls', 'kafka.brokers', 'opensearch.url', 'serviceAccount.annotations.eks.amazonaws.com/role-arn'];

    const helmValues = paths(outputValue(root, 'helm_values') as Block);
    for (const valuePath of helmValues) expect([valuePath, inChart(valuePath)]).toEqual([valuePath, true]);
    expect(helmValues).toEqual(expect.arrayContaining(needed));

    // The README's table: chart value → output, both real, covering everything needed.
    const readme = readFileSync(path.join(terraformRoot, 'README.md'), 'utf8');
    const mapped = [...readme.matchAll(/^\| `([^`]+)` \| `(\w+)` \|$/gm)].map((match) => ({ value: match[1]!, output: match[2]! }));
    for (const { value, output } of mapped) {
      expect([value, inChart(value)]).toEqual([value, true]);
      expect([output, root.output[output] !== undefined]).toEqual([output, true]);
    }
    expect(mapped.map(({ value }) => value)).toEqual(expect.arrayContaining(needed));
    for (const [, output] of readme.matchAll(/terraform output -(?:raw|json) (\w+)/g)) expect([output, root.output[output!] !== undefined]).toEqual([output, true]);

    // One table prefix everywhere: Terraform's default, the chart's and the app's own.
    const prefix = variableDefault(root, 'dynamodb_table_prefix');
    expect((chartValues.dynamodb as Block).tablePrefix).toBe(prefix);
    expect(configSchema.parse({}).DYNAMODB_TABLE_PREFIX).toBe(prefix);
  });
});

function byName(a: { AttributeName?: unknown }, b: { AttributeName?: unknown }) {
  return String(a.AttributeName).localeCompare(String(b.AttributeName));
}

function isEmptyMap(tree: Block, dottedPath: string): boolean {
  const value = dottedPath.split('.').reduce<unknown>((node, key) => (node as Block | undefined)?.[key], tree);
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0;
}
