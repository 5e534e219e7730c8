import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ConfigurationError, ErrorCode } from '../internal/configuration-error';
import { _duration } from '../internal/duration';
import { _assertDns1035Label, _invalid } from '../internal/errors';
import { BoundedContext } from '../platform/bounded-context';

/**
 * The metrics of a custom instrumentation: a request counter, the matchers that
 * select its failed requests, and optionally a latency histogram.
 */
export interface CustomInstrumentationProps {
  /**
   * The counter of handled requests, as Prometheus names it (for a histogram, its
   * `_count` series), such as 'http_requests_total'.
   */
  readonly requestsMetric: string;

  /**
   * The label matchers that select the failed requests among `requestsMetric`, such as
   * `code=~"5.."`.
   */
  readonly errorMatchers: string;

  /**
   * The `_bucket` series of the request latency histogram, in seconds, such as
   * 'http_request_duration_seconds_bucket'. Needed by the latency alert and a
   * latency objective.
   *
   * @default - none: no latency alert, and a latency objective is refused
   */
  readonly latencyBucketMetric?: string;

  /**
   * The histogram's bucket boundaries in seconds (its `le` values). A latency
   * threshold must be one of them: the SLI counts the requests at or under it.
   *
   * @default - the Prometheus client libraries' defaults (0.005 to 10 s)
   */
  readonly latencyBuckets?: number[];
}

/** OpenTelemetry's recommended boundaries for a duration histogram in seconds (HTTP semantic conventions). */
const OTEL_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
/** The OpenTelemetry SDKs' default explicit bucket boundaries, for a histogram in milliseconds. */
const OTEL_MILLIS_BUCKETS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
/** The Prometheus client libraries' default histogram buckets, in seconds. */
const PROMETHEUS_CLIENT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const MATCHERS = /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*(,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*)*$/;

/**
 * Where a service's request metrics come from, so that alerts and objectives are
 * written against names that exist, never guessed: the OpenTelemetry HTTP or RPC
 * server semantic conventions as a Prometheus exporter names them, or metrics of
 * your own.
 */
export class Instrumentation {
  /**
   * OpenTelemetry HTTP server semantic conventions: the histogram
   * `http.server.request.duration` (seconds), exported to Prometheus as
   * `http_server_request_duration_seconds`; a failed request is a response status 5xx
   * (`http_response_status_code`).
   *
   * @see https://opentelemetry.io/docs/specs/semconv/http/http-metrics/
   */
  public static openTelemetryHttp(): Instrumentation {
    return new Instrumentation('OpenTelemetry HTTP server', 'http_server_request_duration_seconds_count',
      'http_response_status_code=~"5.."', 'http_server_request_duration_seconds_bucket', 1, OTEL_SECONDS_BUCKETS);
  }

  /**
   * OpenTelemetry RPC server semantic conventions for gRPC: the histogram
   * `rpc.server.duration` (milliseconds), exported to Prometheus as
   * `rpc_server_duration_milliseconds`; a failed call is one whose
   * `rpc_grpc_status_code` is a server-side failure (UNKNOWN, DEADLINE_EXCEEDED,
   * UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS).
   *
   * @see https://opentelemetry.io/docs/specs/semconv/rpc/rpc-metrics/
   */
  public static openTelemetryGrpc(): Instrumentation {
    return new Instrumentation('OpenTelemetry RPC server', 'rpc_server_duration_milliseconds_count',
      'rpc_grpc_status_code=~"2|4|12|13|14|15"', 'rpc_server_duration_milliseconds_bucket', 0.001, OTEL_MILLIS_BUCKETS);
  }

  /** Metrics of your own (a latency histogram in seconds). */
  public static custom(props: CustomInstrumentationProps): Instrumentation {
    return new Instrumentation('custom', props?.requestsMetric, props?.errorMatchers, props?.latencyBucketMetric, 1,
      props?.latencyBuckets ?? PROMETHEUS_CLIENT_BUCKETS);
  }

  private constructor(
    /** What the metrics follow, for messages. */
    public readonly convention: string,
    /** The counter of handled requests. */
    public readonly requestsMetric: string,
    /** The label matchers selecting failed requests. */
    public readonly errorMatchers: string,
    /** The `_bucket` series of the latency histogram, if any. */
    public readonly latencyBucketMetric: string | undefined,
    /** The histogram's unit, in seconds (1 for seconds, 0.001 for milliseconds). */
    public readonly latencyUnitSeconds: number,
    private readonly _buckets: number[]) {}

  /** The histogram's bucket boundaries, in its own unit (a copy). */
  public get latencyBuckets(): number[] {
    return [...this._buckets];
  }

  /**
   * The PromQL expression of a scraped service's error ratio over `window`, from 0 to
   * 1: its failed requests over all its requests (the `job` label
   * `<namespace>/<service>` that `WorkloadMetrics` sets), 0 when none failed, with no
   * result when there were no requests. It is the expression the `ServiceErrorRatioHigh`
   * alert of `ServiceAlerts` compares with its threshold, so a canary's analysis reads
   * the declared error ratio:
   * `ErrorRatioQuery.promql(Instrumentation.openTelemetryHttp().errorRatioExpression(catalog, 'products'))`.
   * It measures every pod of the service, stable and canary tracks alike.
   *
   * @param context the service's bounded context (its namespace)
   * @param service the service's name
   * @param window the rate window, whole minutes from 5 (the RED alert's window, which
   *   holds four samples at every scrape interval `WorkloadMetrics` accepts)
   */
  public errorRatioExpression(context: BoundedContext, service: string, window: Duration = Duration.minutes(5)): string {
    if (!(context instanceof BoundedContext)) {
      throw new ConfigurationError({ path: '', prop: 'context', value: String(context), expected: 'must be the service\'s BoundedContext',
        fix: 'pass the bounded context the service is declared in', code: ErrorCode.WRONG_TYPE });
    }
    this._check(context, 'instrumentation');
    _assertDns1035Label(context, 'service', service);
    const minutes = _duration(context, 'window', window).toSeconds() / 60;
    if (!Number.isInteger(minutes) || minutes < 5) {
      throw _invalid(context, 'window', `${window.toSeconds()}s`, 'must be whole minutes from 5: a shorter rate window may hold fewer than four samples at the scrape interval',
        'use Duration.minutes(5) (the default) or longer', ErrorCode.OUT_OF_RANGE);
    }
    return this._errorRatio(`${context.namespaceName}/${service}`, `${minutes}m`);
  }

  /**
   * The error ratio of the requests of the scrape job `job` over `window` (a PromQL
   * duration), 0 when there are requests and no errors.
   * @internal
   */
  public _errorRatio(job: string, window: string): string {
    return `(sum(rate(${this.requestsMetric}{job="${job}",${this.errorMatchers}}[${window}])) or vector(0))`
      + ` / ${this._requestRate(job, window)}`;
  }

  /**
   * The requests per second of the scrape job `job` over `window` (a PromQL
   * duration): the denominator of the error ratio.
   * @internal
   */
  public _requestRate(job: string, window: string): string {
    return `sum(rate(${this.requestsMetric}{job="${job}"}[${window}]))`;
  }

  /**
   * The latency quantile `q` (0.99 for p99) of the scrape job `job` over `window`, in
   * the histogram's unit; undefined without a latency histogram.
   * @internal
   */
  public _latencyQuantile(job: string, q: number, window: string): string | undefined {
    if (this.latencyBucketMetric === undefined) return undefined;
    return `histogram_quantile(${q}, sum by (le) (rate(${this.latencyBucketMetric}{job="${job}"}[${window}])))`;
  }

  /**
   * Throws when the metric names or matchers are not what PromQL accepts.
   * @internal
   */
  public _check(scope: IConstruct, prop: string): void {
    if (typeof this.requestsMetric !== 'string' || !METRIC_NAME.test(this.requestsMetric)) {
      throw _invalid(scope, `${prop}.requestsMetric`, this.requestsMetric, 'must be a Prometheus metric name (letters, digits, \'_\' and \':\', not starting with a digit)',
        'give the counter\'s name as Prometheus stores it, such as \'http_requests_total\'', ErrorCode.INVALID_NAME);
    }
    if (this.latencyBucketMetric !== undefined && (typeof this.latencyBucketMetric !== 'string' || !METRIC_NAME.test(this.latencyBucketMetric))) {
      throw _invalid(scope, `${prop}.latencyBucketMetric`, this.latencyBucketMetric, 'must be a Prometheus metric name (letters, digits, \'_\' and \':\', not starting with a digit)',
        'give the histogram\'s _bucket series, such as \'http_request_duration_seconds_bucket\'', ErrorCode.INVALID_NAME);
    }
    if (typeof this.errorMatchers !== 'string' || !MATCHERS.test(this.errorMatchers)) {
      throw _invalid(scope, `${prop}.errorMatchers`, this.errorMatchers, 'must be PromQL label matchers such as code=~"5.." (several separated by \',\')',
        'write the matchers that select the failed requests, without braces', ErrorCode.INVALID_VALUE);
    }
    if (!Array.isArray(this._buckets) || this._buckets.length === 0 || this._buckets.some(b => typeof b !== 'number' || !Number.isFinite(b) || b < 0)) {
      throw _invalid(scope, `${prop}.latencyBuckets`, this._buckets, 'must list the histogram\'s bucket boundaries, finite numbers of seconds at or above 0',
        'copy the boundaries your instrumentation library is configured with', ErrorCode.INVALID_VALUE);
    }
  }

  /**
   * The `le` label value of a latency threshold, as Prometheus 3 stores bucket
   * boundaries (a float, '0.3' or '1.0'); throws when the threshold is no boundary of
   * the histogram (its SLI could not be computed exactly) or there is no histogram.
   * @internal
   */
  public _le(scope: IConstruct, prop: string, threshold: Duration): string {
    if (this.latencyBucketMetric === undefined) {
      throw _invalid(scope, prop, `${threshold.toMilliseconds()}ms`, `needs a latency histogram, and the ${this.convention} instrumentation names none`,
        'set latencyBucketMetric in Instrumentation.custom, or use an OpenTelemetry instrumentation', ErrorCode.MISSING_REQUIRED);
    }
    const inUnit = Number((threshold.toMilliseconds() / 1000 / this.latencyUnitSeconds).toPrecision(12));
    if (!this._buckets.includes(inUnit)) {
      const unit = this.latencyUnitSeconds === 1 ? 's' : 'ms';
      throw _invalid(scope, prop, `${threshold.toMilliseconds()}ms`, `must be a bucket boundary of the ${this.convention} latency histogram (${this._buckets.map(b => `${b}${unit}`).join(', ')})`,
        'pick one of those boundaries, or configure the histogram with this boundary and list it in latencyBuckets', ErrorCode.UNKNOWN_OPTION);
    }
    return Number.isInteger(inUnit) ? `${inUnit}.0` : String(inUnit);
  }
}
