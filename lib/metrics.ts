// One prom-client registry per process, with Node's default metrics; every role serves it on /metrics.
import { Registry, collectDefaultMetrics } from 'prom-client';

let registry: Registry | undefined;

export function metricsRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    registry.setDefaultLabels({ app: 'corral' });
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
