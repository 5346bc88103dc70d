// The alert rules as they ship: charts/corral/files/alert-rules.yaml is checked and unit-tested by
// the real promtool (built by npm run setup), a copy with a broken threshold must fail those unit
// tests, and the chart's PrometheusRule is that file (schema-checked), linked to runbook sections
// that exist. Needs no stack.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { parse } from 'yaml';
import { chart, ofKind, promtool, render, repoRoot } from './helm-render.js';

const rulesFile = path.join(chart, 'files/alert-rules.yaml');
const rulesTests = path.join(chart, 'tests/alert-rules.test.yaml');

interface RuleGroups {
  groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> }> }>;
}

/** GitHub's anchor of a Markdown heading. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

describe('the alert rules', () => {
  const rules = parse(readFileSync(rulesFile, 'utf8')) as RuleGroups;
  const alerts = rules.groups.flatMap((group) => group.rules);

  it('pass promtool check rules', async () => {
    const result = await promtool('check', 'rules', rulesFile);
    expect(result.output).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(result.ok).toBe(true);
  });

  it('pass their promtool unit tests: each alert fires on a synthetic failure and stays silent on healthy series', async () => {
    const tests = readFileSync(rulesTests, 'utf8');
    for (const alert of alerts) expect(tests).toContain(`alertname: ${alert.alert}`);
    const result = await promtool('test', 'rules', rulesTests);
    expect(result.output).toContain('SUCCESS');
    expect(result.ok).toBe(true);
  });

  it('would be caught by those unit tests if a threshold broke (error rate at 5 % instead of 1 %)', async () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'corral-rules-'));
    try {
      cpSync(path.join(chart, 'files'), path.join(copy, 'files'), { recursive: true });
      cpSync(path.join(chart, 'tests'), path.join(copy, 'tests'), { recursive: true });
      const broken = readFileSync(rulesFile, 'utf8').replace(/\n(\s+)> 0\.01\n/, '\n$1> 0.05\n');
      expect(broken).not.toEqual(readFileSync(rulesFile, 'utf8'));
      writeFileSync(path.join(copy, 'files/alert-rules.yaml'), broken);
      const result = await promtool('test', 'rules', path.join(copy, 'tests/alert-rules.test.yaml'));
      expect(result.ok).toBe(false);
      expect(result.output).toContain('alertname: CorralHighErrorRate');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('each carry a severity, a summary and a runbook section that exists in docs/runbook.md', () => {
    const runbook = readFileSync(path.join(repoRoot, 'docs/runbook.md'), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((match) => anchorOf(match[1]!)));
    for (const alert of alerts) {
      expect(['critical', 'warning']).toContain(alert.labels.severity);
      expect(alert.annotations.summary).toBeTruthy();
      const [file, anchor] = alert.annotations.runbook!.split('#');
      expect(file).toBe('docs/runbook.md');
      expect(anchors).toContain(anchor);
    }
  });
});

describe('the PrometheusRule in the chart', () => {
  const rules = parse(readFileSync(rulesFile, 'utf8')) as RuleGroups;

  it('is off by default', async () => {
    expect(ofKind(await render(), 'PrometheusRule')).toEqual([]);
  });

  it('ships exactly the promtool-tested rules, schema-valid, with runbook URLs under the given base', async () => {
    const base = 'https://github.com/example/corral/blob/main/';
    const [rule, ...others] = ofKind(await render('alerts.enabled=true', `alerts.runbookBaseUrl=${base}`, 'alerts.labels.release=kube-prometheus-stack'), 'PrometheusRule');
    expect(others).toEqual([]);
    expect(() => new PrometheusRule(rule as never).validate()).not.toThrow();
    expect(rule!.metadata.labels?.release).toBe('kube-prometheus-stack');
    const shipped = rule!.spec as RuleGroups;
    const withoutUrls = {
      groups: shipped.groups.map((group) => ({
        ...group,
        rules: group.rules.map(({ annotations: { runbook_url: runbookUrl, ...annotations }, ...alert }) => {
          expect(runbookUrl).toBe(`${base}${annotations.runbook}`);
          return { ...alert, annotations };
        }),
      })),
    };
    expect(withoutUrls).toEqual(rules);
  });

  it('adds no runbook_url without a base', async () => {
    const [rule] = ofKind(await render('alerts.enabled=true'), 'PrometheusRule');
    expect((rule!.spec as RuleGroups).groups.flatMap((group) => group.rules).every((alert) => alert.annotations.runbook_url === undefined)).toBe(true);
    expect(rule!.spec).toEqual(rules);
  });
});
