// The metric names that the alert rules (and the dashboards' panels) query, read from the rule files
// that ship, so a test can hold them against what the roles really export on /metrics.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
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
