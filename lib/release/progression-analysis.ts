import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _assertInteger, _checkType, _instanceOf, _invalid, _requireProp } from '../internal/errors';
import { _wholeSeconds } from '../internal/duration';
import { ErrorCode } from '../internal/configuration-error';

/**
 * A PromQL query whose result is the service's error ratio: failed requests over all
 * requests, a number from 0 to 1 (for example
 * `sum(rate(http_requests_total{service="products",code=~"5.."}[2m])) / sum(rate(http_requests_total{service="products"}[2m]))`).
 *
 * Today the team writes the query; issue 22 (observability) adds the service's
 * declared error ratio as a second source of this class, so that an analysis reads
 * the same query its alerts and dashboards do.
 */
export class ErrorRatioQuery {
  /** A PromQL expression whose first sample is the error ratio, from 0 to 1. */
  public static promql(expression: string): ErrorRatioQuery {
    return new ErrorRatioQuery(expression);
  }

  private constructor(
    /** The PromQL expression. */
    public readonly expression: string,
  ) {}
}

/**
 * An analysis of a progressing canary: Argo Rollouts asks Prometheus for the
 * service's error ratio and aborts the release (back to the stable version) when it
 * is above `maxErrorRatio`.
 */
export interface ErrorRatioAnalysisProps {
  /**
   * The Prometheus server Argo Rollouts queries, as the controller reaches it, such
   * as `http://prometheus.monitoring.svc.cluster.local:9090`.
   */
  readonly prometheusAddress: string;

  /** The query whose result is the service's error ratio (a number from 0 to 1). */
  readonly query: ErrorRatioQuery;

  /**
   * The highest error ratio the canary may show, above 0 and below 1 (0.01 is one
   * failed request in a hundred).
   */
  readonly maxErrorRatio: number;

  /**
   * How long apart the measurements are.
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;

  /**
   * How many measurements an analysis step takes before it passes.
   *
   * @default 5
   */
  readonly count?: number;

  /**
   * How many measurements above `maxErrorRatio` the analysis tolerates before the
   * release is aborted.
   *
   * @default 0 - the first failed measurement aborts the release
   */
  readonly failureLimit?: number;
}

/**
 * An analysis of the canary's error ratio, rendered as an Argo Rollouts
 * `AnalysisTemplate` with the Prometheus provider, named `<service>-error-ratio`, and
 * run by each `ProgressionStep.analysis()` of the progression.
 */
export class ProgressionAnalysis {
  /** The canary's error ratio, from Prometheus, below a threshold. */
  public static errorRatio(props: ErrorRatioAnalysisProps): ProgressionAnalysis {
    return new ProgressionAnalysis(props);
  }

  private constructor(private readonly props: ErrorRatioAnalysisProps) {}

  /**
   * The analysis, checked and resolved (errors name `prop`).
   * @internal
   */
  public _resolve(scope: IConstruct, prop: string): _ResolvedAnalysis {
    const p = this.props;
    if (p === undefined || p === null || typeof p !== 'object') {
      throw _invalid(scope, prop, String(p), 'must be the props of an error-ratio analysis', 'pass { prometheusAddress, query, maxErrorRatio }', ErrorCode.WRONG_TYPE);
    }
    _checkType(scope, `${prop}.prometheusAddress`, p.prometheusAddress, 'string', 'give the address Argo Rollouts reaches Prometheus at, such as \'http://prometheus.monitoring.svc.cluster.local:9090\'');
    if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(p.prometheusAddress)) {
      throw _invalid(scope, `${prop}.prometheusAddress`, p.prometheusAddress, 'must be an http:// or https:// URL',
        'give the address Argo Rollouts reaches Prometheus at, such as \'http://prometheus.monitoring.svc.cluster.local:9090\'', ErrorCode.INVALID_VALUE);
    }
    const query = _instanceOf(scope, `${prop}.query`, _requireProp(scope, `${prop}.query`, p.query,
      'give the query of the service\'s error ratio: ErrorRatioQuery.promql(\'sum(rate(...{code=~"5.."}[2m])) / sum(rate(...[2m]))\')'),
    ErrorRatioQuery, 'use ErrorRatioQuery.promql(expression)');
    _checkType(scope, `${prop}.query`, query.expression, 'string', 'use ErrorRatioQuery.promql(expression) with a PromQL expression');
    if (query.expression.trim().length === 0) {
      throw _invalid(scope, `${prop}.query`, query.expression, 'must not be empty: the analysis measures the result of this query',
        'give the PromQL expression of the service\'s error ratio (failed requests over all requests)', ErrorCode.MISSING_REQUIRED);
    }
    const max = p.maxErrorRatio;
    _checkType(scope, `${prop}.maxErrorRatio`, max, 'number', 'use a ratio above 0 and below 1, such as 0.01');
    if (!Number.isFinite(max) || max <= 0 || max >= 1) {
      throw _invalid(scope, `${prop}.maxErrorRatio`, max, 'must be above 0 and below 1 (a ratio, not a percent)', 'use a ratio such as 0.01 for one failed request in a hundred', ErrorCode.OUT_OF_RANGE);
    }
    const interval = _wholeSeconds(scope, `${prop}.interval`, p.interval ?? Duration.minutes(1), 1, 'Argo Rollouts measures in whole seconds');
    const count = p.count ?? 5;
    _assertInteger(scope, `${prop}.count`, count, 1, 1000, 'take at least 1 measurement, such as 5');
    const failureLimit = p.failureLimit ?? 0;
    _assertInteger(scope, `${prop}.failureLimit`, failureLimit, 0, count - 1, `tolerate fewer failed measurements than 'count' (${count}), such as 0`);
    return { prometheusAddress: p.prometheusAddress, query: query.expression, maxErrorRatio: max, intervalSeconds: interval, count, failureLimit };
  }
}

/** An analysis, resolved. @internal */
export interface _ResolvedAnalysis {
  readonly prometheusAddress: string;
  readonly query: string;
  readonly maxErrorRatio: number;
  readonly intervalSeconds: number;
  readonly count: number;
  readonly failureLimit: number;
}
