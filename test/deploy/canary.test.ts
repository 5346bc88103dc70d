// Canary rollouts (canary.*): with it off the chart renders exactly what it renders without the
// canary values; with it on, api and waiting-room become Argo Rollouts (10 % → 50 % → 100 %) whose
// background analysis reads the canary pods' 5xx ratio. Rollout and AnalysisTemplate are checked
// against the Argo Rollouts schemas (@kubernetes-models/argo-rollouts) and the analysis query is
// evaluated by the real promtool on synthetic series. Needs no stack.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { stringify } from 'yaml';
import { chart, component, helmFailure, ofKind, promtool, render, renderText } from './helm-render.js';

const CANARY_ON = ['canary.enabled=true', 'metrics.serviceMonitor.enabled=true'];
const CANARY_ROLES = ['api', 'waiting-room'];

describe('the canary rollout', () => {
  it('changes nothing when off: the render equals one without any canary values', async () => {
    const withoutCanaryValues = await renderText('canary=null');
    expect(await renderText()).toBe(withoutCanaryValues);
    expect(await renderText('canary.enabled=false', 'metrics.serviceMonitor.enabled=true')).toBe(await renderText('canary=null', 'metrics.serviceMonitor.enabled=true'));
    const manifests = await render();
    expect(ofKind(manifests, 'Rollout')).toEqual([]);
    expect(ofKind(manifests, 'AnalysisTemplate')).toEqual([]);
    expect(ofKind(manifests, 'HorizontalPodAutoscaler').map((hpa) => hpa.spec.scaleTargetRef.kind)).toEqual(['Deployment', 'Deployment']);
  });

  it('when on, runs api and waiting-room as schema-valid Rollouts of the same pods, 10 % → 50 % → 100 % under analysis', async () => {
    const off = await render('metrics.serviceMonitor.enabled=true');
    const on = await render(...CANARY_ON);
    const rollouts = ofKind(on, 'Rollout');
    expect(rollouts.map(component).sort()).toEqual(CANARY_ROLES);
    expect(ofKind(on, 'Deployment').map(component).sort()).toEqual(ofKind(off, 'Deployment').map(component).filter((role) => !CANARY_ROLES.includes(role!)).sort());
    for (const rollout of rollouts) {
      expect(() => new Rollout(rollout as never).validate()).not.toThrow();
      const deployment = ofKind(off, 'Deployment').find((candidate) => component(candidate) === component(rollout))!;
      expect(rollout.metadata.name).toBe(deployment.metadata.name);
      expect(rollout.spec.template).toEqual(deployment.spec.template);
      expect(rollout.spec.selector).toEqual(deployment.spec.selector);
      const { canary } = rollout.spec.strategy;
      expect(canary.steps).toEqual([{ setWeight: 10 }, { pause: { duration: '5m' } }, { setWeight: 50 }, { pause: { duration: '5m' } }]);
      expect(canary.analysis.templates).toEqual([{ templateName: 'corral-error-rate' }]);
      expect(canary.analysis.args).toEqual([
        { name: 'role', value: component(rollout) },
        { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      ]);
    }
    // The autoscalers scale the Rollouts; the ServiceMonitor keeps the label the analysis filters on.
    expect(ofKind(on, 'HorizontalPodAutoscaler').map((hpa) => hpa.spec.scaleTargetRef.kind)).toEqual(['Rollout', 'Rollout']);
    expect(ofKind(on, 'ServiceMonitor')[0]!.spec.podTargetLabels).toEqual(['rollouts-pod-template-hash']);
  });

  it('analyses with a schema-valid AnalysisTemplate: the canary 5xx ratio against canary.analysis.maxErrorRatio', async () => {
    const [template, ...others] = ofKind(await render(...CANARY_ON, 'json:canary.analysis.maxErrorRatio=0.02'), 'AnalysisTemplate');
    expect(others).toEqual([]);
    expect(() => new AnalysisTemplate(template as never).validate()).not.toThrow();
    const [metric] = template!.spec.metrics;
    expect(metric.successCondition).toBe('result[0] <= 0.02');
    expect(metric.provider.prometheus.query).toBe(readFileSync(path.join(chart, 'files/canary-error-ratio.promql'), 'utf8').trim());
  });

  it('refuses to render a canary whose analysis would see no canary metrics', async () => {
    expect(await helmFailure('template', 'corral', chart, '--set', 'secrets.existingSecret=s', '--set', 'canary.enabled=true')).toContain('metrics.serviceMonitor.enabled=true');
  });
});

describe('the canary analysis query (real promtool)', () => {
  const query = readFileSync(path.join(chart, 'files/canary-error-ratio.promql'), 'utf8').replaceAll('{{args.role}}', 'api').replaceAll('{{args.canary-hash}}', 'c4n4ry');
  const series = (hash: string, statusClass: string, perMinute: number) => ({
    series: `corral_http_requests_total{role="api",route="/api/events/:id/holds",method="POST",status_class="${statusClass}",rollouts_pod_template_hash="${hash}"}`,
    values: `0+${perMinute}x10`,
  });

  async function evaluate(inputSeries: Array<{ series: string; values: string }>): Promise<{ ok: boolean; output: string }> {
    return evaluateExpecting(inputSeries, undefined);
  }

  async function evaluateExpecting(inputSeries: Array<{ series: string; values: string }>, value: number | undefined) {
    const directory = mkdtempSync(path.join(tmpdir(), 'corral-canary-'));
    try {
      const file = path.join(directory, 'canary.test.yaml');
      writeFileSync(file, stringify({ rule_files: [], evaluation_interval: '1m', tests: [{ interval: '1m', input_series: inputSeries, promql_expr_test: [{ expr: query, eval_time: '8m', exp_samples: [{ labels: '{}', value: value ?? 0 }] }] }] }));
      return await promtool('test', 'rules', file);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }

  it('reads the canary pods only: 5 % failing canary beside a healthy stable version', async () => {
    const result = await evaluateExpecting([series('c4n4ry', '5xx', 5), series('c4n4ry', '2xx', 95), series('s7abl3', '2xx', 900)], 0.05);
    expect(result.output).toContain('SUCCESS');
  });

  it('reads 0 for a healthy canary beside a failing stable version, and for a canary with no traffic yet', async () => {
    expect((await evaluate([series('c4n4ry', '2xx', 100), series('s7abl3', '5xx', 50), series('s7abl3', '2xx', 50)])).output).toContain('SUCCESS');
    expect((await evaluate([series('c4n4ry', '2xx', 0), series('s7abl3', '2xx', 100)])).output).toContain('SUCCESS');
    expect((await evaluate([series('s7abl3', '5xx', 100)])).output).toContain('SUCCESS');
  });

  it('would fail those checks on a wrong expectation', async () => {
    const result = await evaluateExpecting([series('c4n4ry', '5xx', 5), series('c4n4ry', '2xx', 95)], 0);
    expect(result.ok).toBe(false);
  });
});
