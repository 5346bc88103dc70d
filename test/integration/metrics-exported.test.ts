// Every metric an alert rule or a dashboard panel queries is one the roles really export: all six
// roles are started as the product starts them (roles.ts, one Platform, against the real stack)
// and each role's /metrics is scraped. Kafka is pointed at a closed port, so the relay and the
// indexer run without touching the shared outboxes and topics other suites are using.
import { logger } from '../../lib/log.js';
import { Platform } from '../../lib/platform.js';
import { ROLES, type RunningRole } from '../../lib/role.js';
import { startRoles, stopRoles } from '../../roles.js';
import { ALERT_RULES_FILE, dashboardQueries, exportedSeriesNames, metricNamesIn, ruleExpressions } from '../deploy/metric-names.js';
import { config } from './platform-env.js';
import { freePort } from '../free-port.js';


describe('the metrics that alert rules and dashboards query', () => {
  let platform: Platform;
  let running: RunningRole[] = [];
  const scraped = new Map<string, Set<string>>();

  beforeAll(async () => {
    const closedPort = await freePort();
    platform = new Platform(
      {
        ...config,
        API_PORT: await freePort(),
        WAITING_ROOM_PORT: await freePort(),
        ADMISSION_PORT: await freePort(),
        WORKER_PORT: await freePort(),
        RELAY_PORT: await freePort(),
        INDEXER_PORT: await freePort(),
        KAFKA_BROKERS: [`127.0.0.1:${closedPort}`],
      },
      logger().child({ suite: 'metrics-exported' }),
    );
    running = await startRoles([...ROLES], platform);
    for (const role of running) {
      const response = await fetch(`${role.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
      expect(response.status).toBe(200);
      scraped.set(role.role, exportedSeriesNames(await response.text()));
    }
  }, 120_000);

  afterAll(async () => {
    await stopRoles(running);
    await platform?.close();
  });

  it('scrapes every role', () => {
    expect([...scraped.keys()].sort()).toEqual([...ROLES].sort());
  });

  it('finds every metric of every alert rule on some role', () => {
    const exported = new Set([...scraped.values()].flatMap((names) => [...names]));
    const wanted = [...new Set(ruleExpressions(ALERT_RULES_FILE).flatMap(metricNamesIn))].sort();
    expect(wanted.length).toBeGreaterThan(10);
    expect(wanted.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('finds every metric of every dashboard panel on some role', () => {
    const exported = new Set([...scraped.values()].flatMap((names) => [...names]));
    const missing = dashboardQueries().flatMap((query) => metricNamesIn(query.expr).filter((name) => !exported.has(name)).map((name) => `${query.dashboard} panel ${query.panel}${query.refId}: ${name}`));
    expect(dashboardQueries().length).toBeGreaterThan(25);
    expect(missing).toEqual([]);
  });

  it('would notice a rule naming a metric nobody exports', () => {
    const exported = new Set([...scraped.values()].flatMap((names) => [...names]));
    expect(metricNamesIn('rate(corral_http_requests_totl[5m])').filter((name) => !exported.has(name))).toEqual(['corral_http_requests_totl']);
  });
});
