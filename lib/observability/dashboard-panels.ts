/// <reference path="./grafana-sdk.d.ts" />
import {
  GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode, LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, DatasourceVariableBuilder, RowBuilder, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { _promDuration, _sloRecord, _sloSelector } from './alert-rules';
import { Instrumentation } from './instrumentation';
import { BurnRateAlert, Slo } from './slo';

/**
 * The window of the RED panels: the RED alerts' own, so that a panel shows what its
 * alert compares with the threshold.
 * @internal
 */
export const _RED_WINDOW = '5m';

/**
 * What the dashboard shows of one service: its scrape job, where its request metrics
 * come from, and its objectives.
 * @internal
 */
export interface _DashboardService {
  readonly service: string;
  readonly job: string;
  readonly instrumentation: Instrumentation;
  readonly slos: readonly Slo[];
}

/**
 * One panel query: its PromQL and its legend.
 * @internal
 */
export interface _PanelQuery {
  readonly expr: string;
  readonly legend: string;
}

/** The name of the datasource template variable every panel and query reads. */
const DATASOURCE_VARIABLE = 'datasource';
const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/**
 * The queries of a service's RED panels, by panel title: requests per second, the
 * error ratio and the p99 latency, each the expression its RED alert is built from.
 * @internal
 */
export function _redQueries(s: _DashboardService): { [title: string]: _PanelQuery } {
  const i = s.instrumentation;
  const latency = i._latencyQuantile(s.job, 0.99, _RED_WINDOW);
  return {
    'Requests': { expr: i._requestRate(s.job, _RED_WINDOW), legend: 'requests per second' },
    'Error ratio': { expr: i._errorRatio(s.job, _RED_WINDOW), legend: 'failed requests' },
    ...(latency === undefined ? {} : { 'Latency p99': { expr: latency, legend: 'p99' } }),
  };
}

/**
 * The queries of an objective's burn-rate panel: the error budget's burn rate over the
 * long window of each burn-rate alert, from the recording rules the alerts compare (a
 * burn rate of 1 spends the budget exactly over the objective's window).
 * @internal
 */
export function _burnRateQueries(job: string, slo: Slo): _PanelQuery[] {
  return BurnRateAlert.WORKBOOK.map(a => ({
    expr: `${_sloRecord(a.longWindow)}${_sloSelector(job, slo)} / ${slo.errorBudget}`,
    legend: `over ${_promDuration(a.longWindow)} (${a.severity} at ${Number(a.factor(slo.window).toPrecision(12))}x)`,
  }));
}

function target(q: _PanelQuery, n: number): DataqueryBuilder {
  return new DataqueryBuilder().datasource(DATASOURCE).expr(q.expr).legendFormat(q.legend).refId(String.fromCharCode(65 + n));
}

function panel(title: string, unit: string, queries: _PanelQuery[], span: number): PanelBuilder {
  const p = new PanelBuilder().title(title).datasource(DATASOURCE).unit(unit).min(0).span(span).height(8)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom));
  queries.forEach((q, n) => p.withTarget(target(q, n)));
  return p;
}

/**
 * The JSON model of a bounded context's dashboard (Grafana's dashboard schema, built
 * with the Grafana Foundation SDK): a Prometheus datasource variable, then one row per
 * service with its RED panels and one burn-rate panel per objective.
 * @internal
 */
export function _dashboardModel(title: string, uid: string, tags: string[], services: readonly _DashboardService[]): { [key: string]: unknown } {
  const dashboard = new DashboardBuilder(title).uid(uid).tags(tags).readonly()
    .time({ from: 'now-6h', to: 'now' }).refresh('1m').timezone('browser')
    .withVariable(new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Prometheus').type('prometheus'));
  // ids numbered in order, unique in the dashboard (Grafana links to a panel by its id)
  let id = 0;
  for (const s of services) {
    dashboard.withRow(new RowBuilder(s.service).id(++id));
    const red = _redQueries(s);
    const latencyUnit = s.instrumentation.latencyUnitSeconds === 1 ? 's' : 'ms';
    for (const [name, q] of Object.entries(red)) {
      const unit = name === 'Requests' ? 'reqps' : name === 'Error ratio' ? 'percentunit' : latencyUnit;
      dashboard.withPanel(panel(`${s.service}: ${name.toLowerCase()}`, unit, [q], 24 / Object.keys(red).length).id(++id));
    }
    for (const slo of s.slos) {
      const factors = BurnRateAlert.WORKBOOK.map(a => ({ severity: a.severity, factor: Number(a.factor(slo.window).toPrecision(12)) }));
      const lowest = (severity: string) => Math.min(...factors.filter(f => f.severity === severity).map(f => f.factor));
      dashboard.withPanel(panel(`${s.service}: ${slo.name} ${slo.objectivePercent}% error budget burn rate`, 'none', _burnRateQueries(s.job, slo), 12).id(++id)
        .thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
          { value: null, color: 'green' }, { value: lowest('ticket'), color: 'orange' }, { value: lowest('page'), color: 'red' },
        ]))
        .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed)));
    }
  }
  return JSON.parse(JSON.stringify(dashboard.build()));
}
