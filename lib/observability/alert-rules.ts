import { Duration } from 'cdk8s';
import { Instrumentation } from './instrumentation';
import { BurnRateAlert, Slo } from './slo';

/**
 * One rule of a PrometheusRule group: a recording rule (`record`) or an alert.
 * @internal
 */
export interface _Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
}

/**
 * A group of rules, evaluated in order.
 * @internal
 */
export interface _RuleGroup {
  readonly name: string;
  readonly rules: _Rule[];
}

/**
 * What the rules of one service are written against: the `job` label its scrape
 * sets, and the names the user sees.
 * @internal
 */
export interface _RuleTarget {
  /** The `job` label of every series scraped from the service (`<namespace>/<name>`). */
  readonly job: string;
  readonly namespace: string;
  readonly service: string;
}

/**
 * The settings of the RED alerts.
 * @internal
 */
export interface _RedSettings {
  readonly instrumentation?: Instrumentation;
  /** The error ratio over 5 minutes above which the error alert fires (0.05 for 5%). */
  readonly errorRatio: number;
  /** The p99 latency above which the latency alert fires. */
  readonly latency: Duration;
  /** How long a condition holds before its alert fires. */
  readonly for: Duration;
}

/**
 * A Duration as Prometheus writes it, in the largest unit that divides it ('5m', '1h', '3d', '90s').
 * @internal
 */
export function _promDuration(d: Duration): string {
  const s = d.toSeconds();
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (s >= size && s % size === 0) return `${s / size}${unit}`;
  }
  return `${s}s`;
}

/**
 * The windows of every recording rule an objective needs: each alert's long and short window, shortest first.
 * @internal
 */
export function _sloWindows(alerts: readonly BurnRateAlert[] = BurnRateAlert.WORKBOOK): Duration[] {
  const seconds = [...new Set(alerts.flatMap(a => [a.longWindow.toSeconds(), a.shortWindow.toSeconds()]))].sort((a, b) => a - b);
  return seconds.map(s => Duration.seconds(s));
}

/**
 * The name of the recording rule of an objective's error ratio over `window`.
 * @internal
 */
export function _sloRecord(window: Duration): string {
  return `slo:sli_error:ratio_rate${_promDuration(window)}`;
}

/**
 * The label matchers that select the recording rules of one objective of the scrape job `job`.
 * @internal
 */
export function _sloSelector(job: string, slo: Slo): string {
  return `{job="${job}",slo="${slo.name}"}`;
}

function selector(target: _RuleTarget, extra?: string): string {
  return `{job="${target.job}"${extra ? `,${extra}` : ''}}`;
}

/** The share of a service's requests slower than the bucket `le` over `window`. */
function slowRatio(target: _RuleTarget, i: Instrumentation, le: string, window: string): string {
  return `1 - (sum(rate(${i.latencyBucketMetric}${selector(target, `le="${le}"`)}[${window}]))`
    + ` / sum(rate(${i.requestsMetric}${selector(target)}[${window}])))`;
}

function fmt(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/**
 * The RED alerts of a service: its scrape target down, and with an instrumentation the
 * error ratio and the p99 latency over 5 minutes.
 * @internal
 */
export function _redGroup(target: _RuleTarget, red: _RedSettings): _RuleGroup {
  const labels = { namespace: target.namespace, service: target.service };
  const forText = _promDuration(red.for);
  const rules: _Rule[] = [{
    alert: 'ServiceTargetDown',
    expr: `up${selector(target)} == 0`,
    for: forText,
    labels: { ...labels, severity: 'warning' },
    annotations: {
      summary: `A scrape target of ${target.job} is down`,
      description: `Prometheus has not scraped the target in the instance label for ${forText}: the pod is gone, not ready, or its metrics port does not answer.`,
    },
  }];
  const i = red.instrumentation;
  if (i) {
    rules.push({
      alert: 'ServiceErrorRatioHigh',
      expr: `${i._errorRatio(target.job, '5m')} > ${fmt(red.errorRatio)}`,
      for: forText,
      labels: { ...labels, severity: 'warning' },
      annotations: {
        summary: `${target.job} fails more than ${fmt(red.errorRatio * 100)}% of its requests`,
        description: `The error ratio of ${target.job} (${i.convention} metrics) over 5 minutes is above ${fmt(red.errorRatio * 100)}% (the alert's value).`,
      },
    });
    if (i.latencyBucketMetric !== undefined) {
      rules.push({
        alert: 'ServiceLatencyHigh',
        expr: `${i._latencyQuantile(target.job, 0.99, '5m')} > ${fmt(red.latency.toMilliseconds() / 1000 / i.latencyUnitSeconds)}`,
        for: forText,
        labels: { ...labels, severity: 'warning' },
        annotations: {
          summary: `The p99 latency of ${target.job} is above ${red.latency.toMilliseconds()}ms`,
          description: `The 99th percentile of ${target.job}'s request latency over 5 minutes is above ${red.latency.toMilliseconds()}ms (the alert's value, in ${i.latencyUnitSeconds === 1 ? 'seconds' : 'milliseconds'}).`,
        },
      });
    }
  }
  return { name: `${target.job}.red`, rules };
}

/**
 * The recording rules and the multiwindow, multi-burn-rate alerts of one objective:
 * one error ratio per window, then one alert per severity (page, ticket), each firing
 * when either of its burn-rate conditions holds over both of its windows.
 * @internal
 */
export function _sloGroup(target: _RuleTarget, i: Instrumentation, slo: Slo, le: string | undefined): _RuleGroup {
  const labels = { job: target.job, namespace: target.namespace, service: target.service, slo: slo.name };
  const records: _Rule[] = _sloWindows().map(w => ({
    record: _sloRecord(w),
    expr: le === undefined ? i._errorRatio(target.job, _promDuration(w)) : slowRatio(target, i, le, _promDuration(w)),
    labels,
  }));
  const sel = _sloSelector(target.job, slo);
  const severities = [...new Set(BurnRateAlert.WORKBOOK.map(a => a.severity))];
  const alerts: _Rule[] = severities.map(severity => {
    const conditions = BurnRateAlert.WORKBOOK.filter(a => a.severity === severity).map(a => {
      const threshold = fmt(a.factor(slo.window) * slo.errorBudget);
      return `(${_sloRecord(a.longWindow)}${sel} > ${threshold} and ${_sloRecord(a.shortWindow)}${sel} > ${threshold})`;
    });
    const windows = BurnRateAlert.WORKBOOK.filter(a => a.severity === severity)
      .map(a => `${fmt(a.factor(slo.window))}x over ${_promDuration(a.longWindow)} and ${_promDuration(a.shortWindow)}`).join(', or ');
    return {
      alert: 'SloErrorBudgetBurn',
      expr: conditions.join(' or '),
      labels: { ...labels, severity: severity === 'page' ? 'critical' : 'warning', slo_severity: severity },
      annotations: {
        summary: `${target.job} burns its ${slo.name} error budget (${fmt(slo.objectivePercent)}% over ${_promDuration(slo.window)}) too fast`,
        description: `The ${slo.name} objective of ${target.job} is burning its error budget at ${windows}: ${severity === 'page' ? 'act now' : 'act within a working day'}.`,
      },
    };
  });
  return { name: `${target.job}.slo-${slo.name}`, rules: [...records, ...alerts] };
}
