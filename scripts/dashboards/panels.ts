// Shared pieces of Corral's Grafana dashboards (built with @grafana/grafana-foundation-sdk): the
// Prometheus data source chosen by a variable, time-series panels on a 24-column grid, and the
// queries every dashboard repeats (rates and histogram quantiles).
import { LegendDisplayMode, LegendPlacement, TooltipDisplayMode, VizLegendOptionsBuilder, VizTooltipOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, DatasourceVariableBuilder, VariableRefresh, QueryVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
/** Grafana picks the rate window from the scrape interval; the generated rules file swaps in 5m. */
export const RATE = '$__rate_interval';

export interface Query {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  queries: Query[];
  /** Columns of 24; panels flow left to right, 8 rows high. */
  width?: number;
}

export const rate = (selector: string, by: string) => `sum by (${by}) (rate(${selector}[${RATE}]))`;

/** p50/p95/p99 of a histogram, per `by` (empty: over everything). */
export function quantiles(histogram: string, by: string, selector = ''): Query[] {
  const groups = by ? `le, ${by}` : 'le';
  return [0.5, 0.95, 0.99].map((quantile) => ({
    expr: `histogram_quantile(${quantile}, sum by (${groups}) (rate(${histogram}_bucket${selector}[${RATE}])))`,
    legend: `${by ? `{{${by}}} ` : ''}p${Math.round(quantile * 100)}`,
  }));
}

export function dashboard(uid: string, title: string, description: string, panels: PanelSpec[], variables: QueryVariableBuilder[] = []): DashboardBuilder {
  const builder = new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['corral', 'generated'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  for (const variable of variables) builder.withVariable(variable);
  let x = 0;
  let y = 0;
  panels.forEach((spec, index) => {
    const width = spec.width ?? 12;
    if (x + width > 24) {
      x = 0;
      y += 8;
    }
    const panel = new PanelBuilder()
      .id(index + 1)
      .title(spec.title)
      .description(spec.description)
      .unit(spec.unit)
      .datasource(DATASOURCE)
      .gridPos({ h: 8, w: width, x, y })
      .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
      .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi));
    spec.queries.forEach((query, queryIndex) => {
      panel.withTarget(new DataqueryBuilder().datasource(DATASOURCE).expr(query.expr).legendFormat(query.legend).refId(String.fromCharCode(65 + queryIndex)));
    });
    builder.withPanel(panel);
    x += width;
  });
  return builder;
}

/** A multi-value variable over a label of a metric, "All" by default. */
export function labelVariable(name: string, label: string, metric: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(`label_values(${metric}, ${name})`)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
}
