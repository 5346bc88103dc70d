// The Helm chart rendered by the real `helm` (installed by npm run setup) and every manifest checked
// against the Kubernetes and KEDA schemas (kubernetes-models), then against the code it deploys:
// the roles, their ports and probes, the config variables the roles actually read, and the BullMQ
// lists KEDA watches, which must be the lists the booking queues really fill (checked on real Redis,
// and on a real Redis Cluster with redis.cluster=true).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parseAllDocuments } from 'yaml';
import { configSchema } from '../../lib/config.js';
import { createRedis, deleteKeysByPrefix, type RedisClient } from '../../lib/redis.js';
import { ROLES } from '../../lib/role.js';
import { bookingConfigSchema } from '../../booking/booking-config.js';
import { BOOKING_QUEUE_NAME, BookingQueues, bookingQueuePrefixes, pinHeadlineEvent } from '../../booking/booking-queues.js';
import type { ReserveJob } from '../../booking/booking-jobs.js';
import { holdIdFor } from '../../booking/hold-requests.js';
import { startRedisCluster, type RedisClusterFixture } from '../integration/cluster/redis-cluster.js';
import { config } from '../integration/platform-env.js';
import { chart, component, helm, helmFailure, ofKind, render, repoRoot, type Manifest } from './helm-render.js';

const validators: Record<string, new (data: any) => { validate(): void }> = {
  ConfigMap,
  Deployment,
  HorizontalPodAutoscaler,
  Ingress,
  Job,
  PodDisruptionBudget,
  ScaledObject,
  Secret,
  Service,
  ServiceAccount,
};

describe('the Helm chart', () => {
  let manifests: Manifest[];
  beforeAll(async () => {
    manifests = await render();
  });

  it('passes helm lint --strict', async () => {
    const output = await helm('lint', '--strict', chart, '--set', 'secrets.existingSecret=corral-secrets');
    expect(output).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders only manifests that the Kubernetes and KEDA schemas accept', () => {
    expect(manifests.length).toBeGreaterThan(10);
    for (const manifest of manifests) {
      const Model = validators[manifest.kind];
      if (Model === undefined) throw new Error(`no schema check for kind ${manifest.kind}`);
      expect(() => new Model(manifest).validate()).not.toThrow();
    }
  });

  it('runs every role as its own Deployment on its port, with /healthz liveness and /readyz readiness', () => {
    const deployments = ofKind(manifests, 'Deployment');
    expect(deployments.map(component).sort()).toEqual([...ROLES].sort());
    const defaults = configSchema.parse({});
    for (const deployment of deployments) {
      const role = component(deployment)!;
      const [container] = deployment.spec.template.spec.containers;
      expect(container.args).toEqual([role]);
      const portVariable = `${role.toUpperCase().replace('-', '_')}_PORT` as keyof typeof defaults;
      expect(container.ports[0].containerPort).toBe(defaults[portVariable]);
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      // A secret the role needs in production comes from the Secret, never from the ConfigMap.
      expect(container.env.map((entry: { name: string }) => entry.name)).toEqual(expect.arrayContaining(['DATABASE_URL', 'PASS_SIGNING_JWKS', 'VISITOR_COOKIE_SECRET']));
    }
  });

  it('sets only variables the roles read, and the ones production requires', () => {
    const [configMap] = ofKind(manifests, 'ConfigMap');
    const known = new Set([...Object.keys(configSchema.shape), ...Object.keys(bookingConfigSchema.shape)]);
    const unknown = Object.keys(configMap!.data!).filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
    // The whole environment a pod sees parses with the product's own config schema.
    const environment = { ...configMap!.data, DATABASE_URL: 'mysql://u:p@db:3306/corral', PASS_SIGNING_JWKS: undefined, VISITOR_COOKIE_SECRET: 'x'.repeat(32), NODE_ENV: 'test' };
    expect(configSchema.safeParse(environment).success).toBe(true);
    expect(bookingConfigSchema.safeParse(environment).success).toBe(true);
    expect(configMap!.data!['NODE_ENV']).toBe('production');
  });

  it('autoscales api and waiting-room with an HPA, workers with KEDA only, and leaves the replica count to them', () => {
    expect(ofKind(manifests, 'HorizontalPodAutoscaler').map(component).sort()).toEqual(['api', 'waiting-room']);
    const [scaledObject] = ofKind(manifests, 'ScaledObject');
    expect(scaledObject!.spec.scaleTargetRef.name).toBe('corral-worker');
    const byRole = new Map(ofKind(manifests, 'Deployment').map((deployment) => [component(deployment), deployment]));
    for (const scaled of ['api', 'waiting-room', 'worker']) expect(byRole.get(scaled)!.spec.replicas).toBeUndefined();
    expect(byRole.get('relay')!.spec.replicas).toBe(1);
    const waitingRoomHpa = ofKind(manifests, 'HorizontalPodAutoscaler').find((hpa) => component(hpa) === 'waiting-room')!;
    expect(waitingRoomHpa.spec.metrics.map((metric: { type: string }) => metric.type)).toEqual(['Resource']);
  });

  it('scales the waiting room on fans per pod as well when asked (a Pods metric on the Socket.IO client gauge)', async () => {
    const rendered = await render('roles.waiting-room.autoscaling.targetConnectedClientsPerPod=13000');
    const hpa = ofKind(rendered, 'HorizontalPodAutoscaler').find((candidate) => component(candidate) === 'waiting-room')!;
    expect(() => new HorizontalPodAutoscaler(hpa as any).validate()).not.toThrow();
    expect(hpa.spec.metrics[1]).toEqual({ type: 'Pods', pods: { metric: { name: 'corral_socketio_connected_clients' }, target: { type: 'AverageValue', averageValue: '13000' } } });
    const apiHpa = ofKind(rendered, 'HorizontalPodAutoscaler').find((candidate) => component(candidate) === 'api')!;
    expect(apiHpa.spec.metrics).toHaveLength(1);
  });

  it('gives every role a disruption budget and a Service', () => {
    expect(ofKind(manifests, 'PodDisruptionBudget').map(component).sort()).toEqual([...ROLES].sort());
    expect(ofKind(manifests, 'Service').map(component).sort()).toEqual([...ROLES].sort());
  });

  it('turns on Datadog tracing for every role when asked, with a preload the image really has', async () => {
    const envOf = (deployment: Manifest) => deployment.spec.template.spec.containers[0].env as Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>;
    for (const deployment of ofKind(manifests, 'Deployment')) expect(envOf(deployment).map((entry) => entry.name)).not.toContain('NODE_OPTIONS');
    const traced = ofKind(await render('tracing.enabled=true'), 'Deployment');
    expect(traced).toHaveLength(ROLES.length);
    for (const deployment of traced) {
      const env = new Map(envOf(deployment).map((entry) => [entry.name, entry]));
      expect(env.get('NODE_OPTIONS')?.value).toBe('--import dd-trace/initialize.mjs');
      expect(env.get('DD_AGENT_HOST')?.valueFrom?.fieldRef?.fieldPath).toBe('status.hostIP');
      expect(env.get('DD_SERVICE')?.value).toBe(`corral-${component(deployment)}`);
      expect(env.get('DD_LOGS_INJECTION')?.value).toBe('true');
    }
    // The preload is a production dependency, so the image (npm prune --omit=dev) keeps it.
    const packageJson = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(packageJson.dependencies)).toContain('dd-trace');
    expect(existsSync(path.join(repoRoot, 'node_modules/dd-trace/initialize.mjs'))).toBe(true);
  });

  it('migrates before install and upgrade with the same settings the roles get', () => {
    const [job] = ofKind(manifests, 'Job');
    expect(job!.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    const [container] = job!.spec.template.spec.containers;
    expect(container.command).toEqual(['node', 'dist/scripts/provision-cli.js']);
    expect(container.args).toEqual(['--topic-partitions=6', '--topic-replication-factor=3', '--skip-tables']);
    const jobEnv = Object.fromEntries(container.env.filter((entry: { value?: string }) => entry.value !== undefined).map((entry: { name: string; value: string }) => [entry.name, entry.value]));
    expect(jobEnv).toEqual(ofKind(manifests, 'ConfigMap')[0]!.data);
  });

  it('on a Redis Cluster tells the roles so, and scales workers with the redis-cluster trigger', async () => {
    const clustered = await render('redis.cluster=true', 'redis.tls=true', 'redis.host=clustercfg.corral.cache.amazonaws.com');
    const [configMap] = ofKind(clustered, 'ConfigMap');
    expect(configMap!.data).toMatchObject({ REDIS_CLUSTER: 'true', REDIS_URL: 'rediss://clustercfg.corral.cache.amazonaws.com:6379' });
    const environment = { ...configMap!.data, DATABASE_URL: 'mysql://u:p@db:3306/corral', VISITOR_COOKIE_SECRET: 'x'.repeat(32), NODE_ENV: 'test' };
    const parsed = configSchema.safeParse(environment);
    expect(parsed.success && parsed.data.REDIS_CLUSTER).toBe(true);
    const [scaledObject] = ofKind(clustered, 'ScaledObject');
    expect(() => new ScaledObject(scaledObject as never).validate()).not.toThrow();
    for (const trigger of scaledObject!.spec.triggers as Array<{ type: string; metadata: Record<string, string> }>) {
      expect(trigger.type).toBe('redis-cluster');
      expect(trigger.metadata).toMatchObject({ addresses: 'clustercfg.corral.cache.amazonaws.com:6379', enableTLS: 'true' });
      expect(trigger.metadata['address']).toBeUndefined();
    }
    // Off by default: one node, the plain redis trigger.
    expect(ofKind(manifests, 'ConfigMap')[0]!.data!['REDIS_CLUSTER']).toBe('false');
    expect((ofKind(manifests, 'ScaledObject')[0]!.spec.triggers as Array<{ type: string }>).every((trigger) => trigger.type === 'redis')).toBe(true);
  });

  it('exposes three hosts when the ingress is on, the waiting room with cookie affinity for Socket.IO polling', async () => {
    const ingresses = ofKind(await render('ingress.enabled=true'), 'Ingress');
    expect(ingresses.map(component).sort()).toEqual(['admission', 'api', 'waiting-room']);
    const waitingRoom = ingresses.find((ingress) => component(ingress) === 'waiting-room')!;
    expect(waitingRoom.metadata.annotations!['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
    expect(ingresses.find((ingress) => component(ingress) === 'api')!.metadata.annotations).toBeUndefined();
  });

  it('refuses values that would deploy something broken, with a message that says what to fix', async () => {
    expect(await helmFailure('template', 'corral', chart)).toContain('set secrets.existingSecret');
    expect(await helmFailure('template', 'corral', chart, '--set', 'secrets.existingSecret=s', '--set', 'booking.partitions=0')).toContain('/booking/partitions');
    expect(await helmFailure('template', 'corral', chart, '--set', 'secrets.existingSecret=s', '--set', 'roles.worker.autoscaling.enabled=true', '--set', 'roles.worker.autoscaling.minReplicas=1', '--set', 'roles.worker.autoscaling.maxReplicas=2', '--set', 'roles.worker.autoscaling.targetCPUUtilizationPercentage=50')).toContain('workers are scaled by KEDA');
    expect(await helmFailure('template', 'corral', chart, '--set', 'secrets.create=true', '--set', 'secrets.databaseUrl=mysql://x')).toContain('secrets.create needs');
    expect(await helmFailure('template', 'corral', chart, '--set', 'secrets.existingSecret=s', '--set', 'kafka.brokers=kafka')).toContain('/kafka/brokers');
  });

  it('renders a Secret for a test cluster, as a hook so the migrate job can read it', async () => {
    const [secret] = ofKind(await helm('template', 'corral', chart, '--set', 'secrets.create=true', '--set', 'secrets.databaseUrl=mysql://u:p@db/corral', '--set-json', `secrets.passSigningJwks=${JSON.stringify('{"keys":[]}')}`, '--set', `secrets.visitorCookieSecret=${'s'.repeat(32)}`).then((out) => parseAllDocuments(out).map((d) => d.toJS() as Manifest)), 'Secret');
    expect(secret!.metadata.annotations!['helm.sh/hook']).toBe('pre-install,pre-upgrade');
  });
});

/**
 * Enqueues what the booking side really queues, through its own BookingQueues: one reserve per
 * section of a hot event (so its jobs spread over the partition queues), the same for a pinned
 * event (over the headline queues), and the hold expiries that follow (delayed, not load).
 */
async function enqueueLikeASale(queues: BookingQueues, pins: RedisClient, keyPrefix: string) {
  const now = Date.now();
  const hot = `hot-${process.pid}`;
  const pinned = `pinned-${process.pid}`;
  await pinHeadlineEvent(pins, keyPrefix, pinned);
  const sections = Array.from({ length: 12 }, (_, index) => `S${index}`);
  const jobs: ReserveJob[] = [hot, pinned].flatMap((eventId) =>
    sections.map((section) => ({ holdId: holdIdFor(eventId, 'fan', section), eventId, fanId: 'fan', request: { section, quantity: 2 }, requestedAt: now, holdTtlMs: 600_000 })),
  );
  for (const job of jobs) await queues.enqueueReserve(job);
  for (const job of jobs) await queues.scheduleExpiry({ holdId: job.holdId, eventId: job.eventId, heldUntil: now + 600_000 }, now);
  return jobs;
}

/** Every reserve job is counted by exactly one trigger's list, the sum is all of them, and the hot
 * event's jobs are in more than one list; expiries are counted by none. */
async function expectTriggersCount(triggers: Array<{ metadata: { listName: string } }>, llen: (key: string) => Promise<number>, jobs: readonly ReserveJob[]) {
  const lengths = await Promise.all(triggers.map((trigger) => llen(trigger.metadata.listName)));
  expect(lengths.reduce((sum, length) => sum + length, 0)).toBe(jobs.length);
  expect(lengths.filter((length) => length > 0).length).toBeGreaterThan(2);
}

describe('the worker ScaledObject against the booking queues on a Redis Cluster (3 real masters, real BullMQ)', () => {
  let cluster: RedisClusterFixture;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(async () => cluster.stop());

  it('watches lists that BullMQ really fills on the cluster, for every reserve the booking side queues', async () => {
    const keyPrefix = `helm-${process.pid}-${Date.now()}:`;
    const partitions = 3;
    const headlinePartitions = 2;
    const [scaledObject] = ofKind(await render('redis.cluster=true', `booking.partitions=${partitions}`, `booking.headlinePartitions=${headlinePartitions}`, `booking.keyPrefix=${keyPrefix}`), 'ScaledObject');
    const triggers = scaledObject!.spec.triggers as Array<{ type: string; metadata: { listName: string } }>;
    const redis = cluster.connect();
    const queues = new BookingQueues({ connection: redis, keyPrefix, partitions, headlinePartitions, pins: redis });
    try {
      const jobs = await enqueueLikeASale(queues, redis, keyPrefix);
      // LLEN through the cluster client goes to the list's node, as KEDA's redis-cluster scaler does.
      await expectTriggersCount(triggers, (key) => redis.llen(key), jobs);
    } finally {
      await queues.close();
    }
  });
});

describe('the worker ScaledObject against the booking queues (real Redis, real BullMQ)', () => {
  const redis = createRedis(config.REDIS_URL);
  const keyPrefix = `helm-${process.pid}-${Date.now()}:`;
  afterAll(async () => {
    await deleteKeysByPrefix(redis, `{${keyPrefix}`);
    await deleteKeysByPrefix(redis, keyPrefix);
    redis.disconnect();
  });

  it('watches exactly the wait list of every partition queue and every headline queue, summed', async () => {
    const partitions = 3;
    const headlinePartitions = 2;
    const manifests = await render(`booking.partitions=${partitions}`, `booking.headlinePartitions=${headlinePartitions}`, `booking.keyPrefix=${keyPrefix}`);
    const [scaledObject] = ofKind(manifests, 'ScaledObject');
    const triggers = scaledObject!.spec.triggers as Array<{ type: string; name: string; metadata: { listName: string } }>;
    expect(triggers.map((trigger) => trigger.name)).toEqual(['p0', 'p1', 'p2', 'h0', 'h1']);
    expect(scaledObject!.spec.advanced.scalingModifiers.formula).toBe('p0 + p1 + p2 + h0 + h1');
    expect(triggers.map((trigger) => trigger.metadata.listName)).toEqual(bookingQueuePrefixes(keyPrefix, partitions, headlinePartitions).map((prefix) => `${prefix}:${BOOKING_QUEUE_NAME}:wait`));

    const queues = new BookingQueues({ connection: redis, keyPrefix, partitions, headlinePartitions, pins: redis });
    try {
      const jobs = await enqueueLikeASale(queues, redis, keyPrefix);
      await expectTriggersCount(triggers, (key) => redis.llen(key), jobs);
      // Nothing the booking side queued hides where a list trigger cannot see it.
      const depths = await queues.depths();
      const inState = (state: string) => depths.filter((depth) => depth.state === state).reduce((sum, depth) => sum + depth.jobs, 0);
      expect(inState('prioritized')).toBe(0);
      expect(inState('waiting')).toBe(jobs.length);
      expect(inState('delayed')).toBe(jobs.length);
    } finally {
      await queues.close();
    }
  });
});
