// The Grafana dashboards as they ship: the committed JSON is what scripts/dashboards/ generates,
// every panel query parses (promtool check rules on a recording rule per query) and the chart
// renders each dashboard as a ConfigMap for Grafana's sidecar. Needs no stack; that the metrics
// exist is test/integration/metrics-exported.test.ts.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { dashboardFiles } from '../../scripts/dashboards/corral-dashboards.js';
import { ofKind, promtool, render } from './helm-render.js';
import { DASHBOARDS_DIRECTORY, dashboardQueries, metricNamesIn, recordingRulesOf, type PanelQuery } from './metric-names.js';

async function checkRules(queries: PanelQuery[]) {
  const directory = mkdtempSync(path.join(tmpdir(), 'corral-dashboard-rules-'));
  try {
    const file = path.join(directory, 'dashboard-queries.yaml');
    writeFileSync(file, recordingRulesOf(queries));
    return await promtool('check', 'rules', file);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe('the dashboards', () => {
  it('are committed exactly as scripts/dashboards generates them (npm run dashboards)', () => {
    const generated = dashboardFiles();
    expect(readdirSync(DASHBOARDS_DIRECTORY).sort()).toEqual(Object.keys(generated).sort());
    for (const [file, text] of Object.entries(generated)) expect(readFileSync(path.join(DASHBOARDS_DIRECTORY, file), 'utf8')).toBe(text);
  });

  it('are the four of the design, each panel querying Corral metrics through the chosen data source', () => {
    const uids = readdirSync(DASHBOARDS_DIRECTORY).map((file) => (JSON.parse(readFileSync(path.join(DASHBOARDS_DIRECTORY, file), 'utf8')) as { uid: string }).uid);
    expect(uids.sort()).toEqual(['corral-booking', 'corral-overview', 'corral-pipeline', 'corral-waiting-room']);
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(25);
    for (const query of queries) expect(metricNamesIn(query.expr).length).toBeGreaterThan(0);
  });

  it('have only queries that promtool parses', async () => {
    const queries = dashboardQueries();
    const result = await checkRules(queries);
    expect(result.output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(result.ok).toBe(true);
  });

  it('would fail that check on a query that does not parse', async () => {
    const result = await checkRules([{ dashboard: 'broken', panel: '1', refId: 'A', expr: 'sum by (role (rate(corral_http_requests_total[$__rate_interval]))' }]);
    expect(result.ok).toBe(false);
  });
});

describe('the dashboards in the chart', () => {
  it('are off by default', async () => {
    expect(ofKind(await render(), 'ConfigMap').filter((map) => map.metadata.labels?.grafana_dashboard !== undefined)).toEqual([]);
  });

  it('render as one schema-valid ConfigMap per dashboard, labelled for the Grafana sidecar, holding the JSON as committed', async () => {
    const maps = ofKind(await render('dashboards.enabled=true', 'dashboards.annotations.grafana_folder=Corral'), 'ConfigMap').filter((map) => map.metadata.labels?.grafana_dashboard === '1');
    const files = readdirSync(DASHBOARDS_DIRECTORY).sort();
    expect(maps.map((map) => Object.keys(map.data ?? {})).flat().sort()).toEqual(files);
    for (const map of maps) {
      expect(() => new ConfigMap(map as never).validate()).not.toThrow();
      expect(map.metadata.annotations?.grafana_folder).toBe('Corral');
      for (const [file, text] of Object.entries(map.data!)) expect(text).toBe(readFileSync(path.join(DASHBOARDS_DIRECTORY, file), 'utf8'));
    }
  });
});
