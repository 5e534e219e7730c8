import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import * as mon from '../imports/monitoring.coreos.com';
import { ErrorCode } from '../internal/configuration-error';
import { _duration } from '../internal/duration';
import { _instanceOf, _invalid } from '../internal/errors';
import { Workload } from '../workloads/workload';
import { _redGroup, _RuleGroup, _RuleTarget, _sloGroup } from './alert-rules';
import { Instrumentation } from './instrumentation';
import { Slo } from './slo';
import { WorkloadMetrics } from './workload-metrics';
import { _attachOnce } from './attachment';

/**
 * Properties of a service's alerts.
 */
export interface ServiceAlertsProps {
  /**
   * Where the request metrics come from. Without it only the scrape target is
   * watched, and objectives are refused.
   *
   * @default - none: the target-down alert alone
   */
  readonly instrumentation?: Instrumentation;

  /**
   * The service level objectives (at most one availability and one latency
   * objective); each gets its recording rules and the multiwindow, multi-burn-rate
   * alerts.
   *
   * @default - none
   */
  readonly slos?: Slo[];

  /**
   * The error ratio over 5 minutes above which the RED error alert fires, in percent.
   *
   * @default 5
   */
  readonly errorRatioPercent?: number;

  /**
   * The p99 latency over 5 minutes above which the RED latency alert fires (when the
   * instrumentation has a latency histogram).
   *
   * @default Duration.seconds(1)
   */
  readonly latencyThreshold?: Duration;

  /**
   * How long a RED condition holds before its alert fires.
   *
   * @default Duration.minutes(10)
   */
  readonly for?: Duration;
}

/**
 * The alerts of a scraped workload, as one `PrometheusRule` named after it and
 * labelled for the platform's rule selector: RED alerts (target down; with an
 * instrumentation, error ratio and p99 latency), and for each service level objective
 * the recording rules of its error ratio over every window and the Google SRE
 * workbook's multiwindow, multi-burn-rate alerts (page at 14.4x over 1h and 5m or 6x
 * over 6h and 30m; ticket at 3x over 1d and 2h or 1x over 3d and 6h, for a 30-day
 * window). The workload must be scraped (`WorkloadMetrics`): alerts on series that
 * are never collected would never fire.
 *
 * @example
 * new ServiceAlerts(checkout, 'alerts', {
 *   instrumentation: Instrumentation.openTelemetryHttp(),
 *   slos: [Slo.availability(99.9), Slo.latency(99, Duration.millis(500))],
 * });
 */
export class ServiceAlerts extends Construct {
  /** The alerts declared on `workload`, if any. */
  public static of(workload: Workload): ServiceAlerts | undefined {
    return workload.node.children.find((c): c is ServiceAlerts => c instanceof ServiceAlerts);
  }

  /** The workload alerted on. */
  public readonly workload: Workload;
  /** The instrumentation, if any. */
  public readonly instrumentation?: Instrumentation;
  /** The RED error-ratio threshold, in percent. */
  public readonly errorRatioPercent: number;
  /** The RED p99 latency threshold. */
  public readonly latencyThreshold: Duration;
  /** How long a RED condition holds before its alert fires. */
  public readonly for: Duration;
  private readonly _slos: Slo[];
  private readonly _groups: _RuleGroup[];

  constructor(scope: Workload, id: string, props: ServiceAlertsProps = {}) {
    super(scope, id);
    _attachOnce(this, scope, id, {
      accepts: s => s instanceof Workload, scopeKind: 'a workload (a Microservice, Worker or StatefulService)',
      example: 'new ServiceAlerts(workload, \'alerts\', { ... })', only: 'the workload\'s only alerts (one PrometheusRule per workload)', per: 'workload',
    });
    this.workload = scope;
    const metrics = WorkloadMetrics.of(scope);
    if (!metrics) {
      throw _invalid(this, 'workload', scope.node.path, 'must be scraped: its alerts would watch series that are never collected',
        'declare new WorkloadMetrics(workload, \'metrics\', { port }) before its alerts', ErrorCode.MISSING_REQUIRED);
    }
    this.instrumentation = props.instrumentation === undefined ? undefined
      : _instanceOf(this, 'instrumentation', props.instrumentation, Instrumentation, 'use Instrumentation.openTelemetryHttp(), openTelemetryGrpc() or custom({ ... })');
    this.instrumentation?._check(this, 'instrumentation');
    this._slos = [...(props.slos ?? [])];
    this.errorRatioPercent = props.errorRatioPercent ?? 5;
    this.latencyThreshold = _duration(this, 'latencyThreshold', props.latencyThreshold ?? Duration.seconds(1));
    this.for = _duration(this, 'for', props.for ?? Duration.minutes(10));
    const e = this.errorRatioPercent;
    if (typeof e !== 'number' || !Number.isFinite(e) || e <= 0 || e >= 100) {
      throw _invalid(this, 'errorRatioPercent', e, 'must be above 0 and below 100 (percent)', 'use a share such as 5', ErrorCode.OUT_OF_RANGE);
    }
    const forSeconds = this.for.toSeconds();
    if (!Number.isInteger(forSeconds) || forSeconds < 60 || forSeconds > 3600) {
      throw _invalid(this, 'for', `${this.for.toMilliseconds() / 1000}s`, 'must be whole seconds from 1 minute to 1 hour', 'use Duration.minutes(10) (the default) or Duration.minutes(5)', ErrorCode.OUT_OF_RANGE);
    }

    const target: _RuleTarget = { job: metrics.job, namespace: scope.namespace, service: scope.name };
    const i = this.instrumentation;
    this._groups = [_redGroup(target, { instrumentation: i, errorRatio: e / 100, latency: this.latencyThreshold, for: this.for })];
    const seen = new Set<string>();
    this._slos.forEach((slo, n) => {
      const prop = `slos[${n}]`;
      _instanceOf(this, prop, slo, Slo, 'use Slo.availability(percent) or Slo.latency(percent, threshold)');
      slo._check(this, prop);
      if (seen.has(slo.name)) {
        throw _invalid(this, prop, slo.name, `must not repeat the ${slo.name} objective`, 'declare at most one availability and one latency objective', ErrorCode.DUPLICATE);
      }
      seen.add(slo.name);
      if (!i) {
        throw _invalid(this, prop, `${slo.name} ${slo.objectivePercent}%`, 'needs request metrics to measure, and no instrumentation is declared',
          'set instrumentation, such as Instrumentation.openTelemetryHttp()', ErrorCode.MISSING_REQUIRED);
      }
      const le = slo.threshold === undefined ? undefined : i._le(this, `${prop}.threshold`, slo.threshold);
      this._groups.push(_sloGroup(target, i, slo, le));
    });

    new mon.PrometheusRule(this, 'Resource', {
      metadata: { name: scope.name, namespace: scope.namespace, labels: { ...scope._labels, ...metrics.monitoring.ruleLabels } },
      spec: {
        groups: this._groups.map(g => ({
          name: g.name,
          rules: g.rules.map(r => ({
            ...(r.record !== undefined ? { record: r.record } : { alert: r.alert }),
            expr: mon.PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
            ...(r.for !== undefined ? { for: r.for } : {}),
            ...(r.labels ? { labels: r.labels } : {}),
            ...(r.annotations ? { annotations: r.annotations } : {}),
          })),
        })),
      },
    });
  }

  /** The service level objectives (a copy). */
  public get slos(): Slo[] {
    return [...this._slos];
  }

  /** The names of the rule groups rendered, in order. */
  public get groupNames(): string[] {
    return this._groups.map(g => g.name);
  }
}
