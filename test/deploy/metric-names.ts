// The metric names that the alert rules (and the dashboards' panels) query, read from the rule files
// that ship, so a test can hold them against what the roles really export on /metrics.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { chart } from './helm-render.js';

export const ALERT_RULES_FILE = path.join(chart, 'files/alert-rules.yaml');

interface RulesFile {
  groups: Array<{ rules: Array<{ expr: string }> }>;
}

/** Every metric a PromQL expression names. Corral's own metrics and the prom-client defaults it
 * leans on have fixed prefixes; label names never do, and strings are removed first. */
export function metricNamesIn(expr: string): string[] {
  const withoutStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...new Set(withoutStrings.match(/\b(?:corral|process|nodejs)_[a-zA-Z0-9_:]+/g) ?? [])];
}

export function ruleExpressions(file: string): string[] {
  return (parse(readFileSync(file, 'utf8')) as RulesFile).groups.flatMap((group) => group.rules.map((rule) => rule.expr));
}

/** The series names a `/metrics` page can answer: every family, and a histogram's _bucket/_sum/_count. */
export function exportedSeriesNames(metricsText: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

export const DASHBOARDS_DIRECTORY = path.join(chart, 'dashboards');

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  /** As Grafana sends it, with its variables. */
  expr: string;
}

interface DashboardJson {
  uid: string;
  panels?: Array<{ id: number; title: string; targets?: Array<{ expr?: string; refId?: string }> }>;
}

/** Every query of every panel of the dashboards the chart ships. */
export function dashboardQueries(): PanelQuery[] {
  return readdirSync(DASHBOARDS_DIRECTORY)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const dashboard = JSON.parse(readFileSync(path.join(DASHBOARDS_DIRECTORY, file), 'utf8')) as DashboardJson;
      return (dashboard.panels ?? []).flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({ dashboard: dashboard.uid, panel: `${panel.id}`, refId: target.refId ?? '', expr: target.expr ?? '' })),
      );
    });
}

/** A Grafana query as plain PromQL: the rate window Grafana would pick, every variable "all". */
export function asPromQL(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__interval', '1m')
    .replace(/\$\{?[a-zA-Z_]\w*\}?/g, '.*');
}

/** A rules file with one recording rule per panel query, for `promtool check rules`. */
export function recordingRulesOf(queries: PanelQuery[]): string {
  const rules = queries.map((query) => ({
    record: `corral_dashboard:${query.dashboard.replace(/\W/g, '_')}:panel${query.panel}_${query.refId}`,
    expr: asPromQL(query.expr),
  }));
  return stringify({ groups: [{ name: 'corral-dashboard-queries', rules }] });
}
