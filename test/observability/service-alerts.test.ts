import { Duration } from 'cdk8s';
import { BurnRateAlert, ErrorCode, Instrumentation, Port, Probe, ServiceAlerts, Slo, WorkloadMetrics } from '../../lib';
import { find, Manifest, microservice, objects, thrown } from '../_helpers';
import { observed } from './_observed';

/** A scraped microservice 'products' and its alerts with `props`; the rendered PrometheusRule. */
function alerts(props: ConstructorParameters<typeof ServiceAlerts>[2] = {}, monitoring = {}): { alerts: ServiceAlerts; rule: Manifest } {
  const { context } = observed(monitoring);
  const products = microservice(context, 'products');
  new WorkloadMetrics(products, 'metrics', { port: 'http' });
  const a = new ServiceAlerts(products, 'alerts', props);
  return { alerts: a, rule: find(objects(context), 'PrometheusRule', 'products') };
}

function group(rule: Manifest, name: string): Manifest[] {
  const g = rule.spec.groups.find((x: Manifest) => x.name === name);
  if (!g) throw new Error(`no group ${name} among ${rule.spec.groups.map((x: Manifest) => x.name).join(', ')}`);
  return g.rules;
}

describe('BurnRateAlert', () => {
  test('the SRE workbook policy: page 14.4x over 1h/5m and 6x over 6h/30m, ticket 3x over 1d/2h and 1x over 3d/6h (30 days)', () => {
    const days30 = Duration.days(30);
    expect(BurnRateAlert.WORKBOOK.map(a => ({
      severity: a.severity, long: a.longWindow.toMinutes(), short: a.shortWindow.toMinutes(), factor: a.factor(days30),
    }))).toEqual([
      { severity: 'page', long: 60, short: 5, factor: 14.4 },
      { severity: 'page', long: 360, short: 30, factor: 6 },
      { severity: 'ticket', long: 1440, short: 120, factor: 3 },
      { severity: 'ticket', long: 4320, short: 360, factor: 1 },
    ]);
  });

  test('the factors scale with the objective\'s window (the same budget share burns in the same long window)', () => {
    expect(BurnRateAlert.WORKBOOK.map(a => a.factor(Duration.days(28)))).toEqual([13.44, 5.6, 2.8, 0.933333333333]);
  });
});

describe('Slo', () => {
  test('defaults: a 30-day window', () => {
    expect(Slo.availability(99.9).window.toDays()).toBe(30);
    expect(Slo.latency(99, Duration.millis(250)).window.toDays()).toBe(30);
    expect(Slo.availability(99.9).errorBudget).toBe(0.001);
  });
});

describe('ServiceAlerts', () => {
  test('defaults: no instrumentation, RED thresholds 5% and 1 s held 10 minutes, no objectives', () => {
    const { alerts: a, rule } = alerts();
    expect(a.instrumentation).toBeUndefined();
    expect(a.errorRatioPercent).toBe(5);
    expect(a.latencyThreshold.toSeconds()).toBe(1);
    expect(a.for.toMinutes()).toBe(10);
    expect(a.slos).toEqual([]);
    // without instrumentation, the target alone is watched
    expect(group(rule, 'catalog/products.red')).toEqual([{
      alert: 'ServiceTargetDown', expr: 'up{job="catalog/products"} == 0', for: '10m',
      labels: { namespace: 'catalog', service: 'products', severity: 'warning' },
      annotations: expect.objectContaining({ summary: 'A scrape target of catalog/products is down' }),
    }]);
    expect(rule.metadata).toMatchObject({ namespace: 'catalog', labels: { release: 'kube-prometheus-stack' } });
  });

  test('RED alerts from the OpenTelemetry HTTP server conventions', () => {
    const { rule } = alerts({ instrumentation: Instrumentation.openTelemetryHttp(), errorRatioPercent: 2, latencyThreshold: Duration.millis(500) });
    const red = group(rule, 'catalog/products.red');
    expect(red.map(r => r.alert)).toEqual(['ServiceTargetDown', 'ServiceErrorRatioHigh', 'ServiceLatencyHigh']);
    expect(red[1].expr).toBe('(sum(rate(http_server_request_duration_seconds_count{job="catalog/products",http_response_status_code=~"5.."}[5m])) or vector(0))'
      + ' / sum(rate(http_server_request_duration_seconds_count{job="catalog/products"}[5m])) > 0.02');
    expect(red[2].expr).toBe('histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{job="catalog/products"}[5m]))) > 0.5');
  });

  test('the gRPC conventions count in milliseconds and treat server-side status codes as errors', () => {
    const { rule } = alerts({ instrumentation: Instrumentation.openTelemetryGrpc(), slos: [Slo.latency(99, Duration.millis(250))] });
    const red = group(rule, 'catalog/products.red');
    expect(red[1].expr).toContain('rpc_server_duration_milliseconds_count{job="catalog/products",rpc_grpc_status_code=~"2|4|12|13|14|15"}[5m]');
    expect(red[2].expr).toMatch(/> 1000$/);
    expect(group(rule, 'catalog/products.slo-latency')[0].expr).toContain('rpc_server_duration_milliseconds_bucket{job="catalog/products",le="250.0"}[5m]');
  });

  test('an availability objective records its error ratio over every window and pages and tickets at the workbook\'s burn rates', () => {
    const { rule } = alerts({ instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.availability(99.9)] });
    const rules = group(rule, 'catalog/products.slo-availability');
    const labels = { job: 'catalog/products', namespace: 'catalog', service: 'products', slo: 'availability' };
    expect(rules.filter(r => r.record).map(r => r.record)).toEqual(['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map(w => `slo:sli_error:ratio_rate${w}`));
    expect(rules[0]).toEqual({
      record: 'slo:sli_error:ratio_rate5m', labels,
      expr: '(sum(rate(http_server_request_duration_seconds_count{job="catalog/products",http_response_status_code=~"5.."}[5m])) or vector(0))'
        + ' / sum(rate(http_server_request_duration_seconds_count{job="catalog/products"}[5m]))',
    });
    const sel = '{job="catalog/products",slo="availability"}';
    const [page, ticket] = rules.filter(r => r.alert);
    expect(page).toMatchObject({
      alert: 'SloErrorBudgetBurn', labels: { ...labels, severity: 'critical', slo_severity: 'page' },
      expr: `(slo:sli_error:ratio_rate1h${sel} > 0.0144 and slo:sli_error:ratio_rate5m${sel} > 0.0144)`
        + ` or (slo:sli_error:ratio_rate6h${sel} > 0.006 and slo:sli_error:ratio_rate30m${sel} > 0.006)`,
    });
    expect(ticket).toMatchObject({
      alert: 'SloErrorBudgetBurn', labels: { ...labels, severity: 'warning', slo_severity: 'ticket' },
      expr: `(slo:sli_error:ratio_rate1d${sel} > 0.003 and slo:sli_error:ratio_rate2h${sel} > 0.003)`
        + ` or (slo:sli_error:ratio_rate3d${sel} > 0.001 and slo:sli_error:ratio_rate6h${sel} > 0.001)`,
    });
    expect(page.for).toBeUndefined();
  });

  test('a latency objective counts the requests slower than its bucket boundary', () => {
    const { rule } = alerts({ instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.latency(99, Duration.seconds(1), { window: Duration.days(28) })] });
    const rules = group(rule, 'catalog/products.slo-latency');
    expect(rules[2]).toMatchObject({
      record: 'slo:sli_error:ratio_rate1h',
      expr: '1 - (sum(rate(http_server_request_duration_seconds_bucket{job="catalog/products",le="1.0"}[1h]))'
        + ' / sum(rate(http_server_request_duration_seconds_count{job="catalog/products"}[1h])))',
    });
    // 28 days: 13.44x of a 1% budget
    expect(rules.find(r => r.alert)!.expr).toContain('slo:sli_error:ratio_rate1h{job="catalog/products",slo="latency"} > 0.1344 and');
  });

  test('custom metrics', () => {
    const { rule } = alerts({
      instrumentation: Instrumentation.custom({ requestsMetric: 'http_requests_total', errorMatchers: 'code=~"5..", handler!="/healthz"' }),
      slos: [Slo.availability(99.5)],
    });
    expect(group(rule, 'catalog/products.red').map(r => r.alert)).toEqual(['ServiceTargetDown', 'ServiceErrorRatioHigh']);
    expect(group(rule, 'catalog/products.slo-availability')[0].expr).toContain('http_requests_total{job="catalog/products",code=~"5..", handler!="/healthz"}[5m]');
  });

  test('custom histogram defaults: the Prometheus client libraries\' buckets, in seconds', () => {
    const instrumentation = Instrumentation.custom({ requestsMetric: 'http_request_duration_seconds_count', errorMatchers: 'code=~"5.."', latencyBucketMetric: 'http_request_duration_seconds_bucket' });
    expect(instrumentation.latencyBuckets).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    expect(instrumentation.latencyUnitSeconds).toBe(1);
    const { rule } = alerts({ instrumentation, slos: [Slo.latency(99.5, Duration.millis(100))] });
    expect(group(rule, 'catalog/products.slo-latency')[0].expr).toContain('http_request_duration_seconds_bucket{job="catalog/products",le="0.1"}[5m]');
    expect(thrown(() => alerts({ instrumentation, slos: [Slo.latency(99.5, Duration.millis(75))] })).code).toBe(ErrorCode.UNKNOWN_OPTION);
  });

  test.each([100, 100.5, 49.9, Number.NaN])('fails when the objective is %s%', (objective) => {
    const err = thrown(() => alerts({ instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.availability(objective)] }));
    expect(err.code).toBe(ErrorCode.OUT_OF_RANGE);
    expect(err.message).toContain("catalog/products/alerts: 'slos[0].objectivePercent'");
    expect(err.message).toContain('must be at least 50 and below 100 (percent)');
  });

  test('accepts the bounds 50% and 99.99%', () => {
    expect(alerts({ instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.availability(50)] }).alerts.slos[0].errorBudget).toBe(0.5);
    expect(alerts({ instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.availability(99.99)] }).alerts.slos[0].errorBudget).toBe(0.0001);
  });

  test('fails when a latency objective has no latency metric', () => {
    const err = thrown(() => alerts({
      instrumentation: Instrumentation.custom({ requestsMetric: 'http_requests_total', errorMatchers: 'code=~"5.."' }),
      slos: [Slo.latency(99, Duration.millis(250))],
    }));
    expect(err.code).toBe(ErrorCode.MISSING_REQUIRED);
    expect(err.message).toBe("catalog/products/alerts: 'slos[0].threshold' ('250ms') needs a latency histogram, and the custom instrumentation names none; "
      + 'set latencyBucketMetric in Instrumentation.custom, or use an OpenTelemetry instrumentation');
  });

  test('fails when a latency threshold is no bucket boundary of the histogram', () => {
    const err = thrown(() => alerts({ instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.latency(99, Duration.millis(300))] }));
    expect(err.code).toBe(ErrorCode.UNKNOWN_OPTION);
    expect(err.message).toContain('must be a bucket boundary of the OpenTelemetry HTTP server latency histogram (0.005s, 0.01s');
  });

  test('fails when an objective has no instrumentation to measure it', () => {
    expect(thrown(() => alerts({ slos: [Slo.availability(99.9)] })).code).toBe(ErrorCode.MISSING_REQUIRED);
  });

  test('fails when an objective repeats', () => {
    expect(thrown(() => alerts({ instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.availability(99.9), Slo.availability(99)] })).code).toBe(ErrorCode.DUPLICATE);
  });

  test('fails when the window is out of range', () => {
    const err = thrown(() => alerts({ instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.availability(99.9, { window: Duration.days(3) })] }));
    expect(err.code).toBe(ErrorCode.OUT_OF_RANGE);
    expect(err.message).toContain("'slos[0].window' ('3d') must be whole days from 7 to 90");
  });

  test('fails on an alert for a workload that is not scraped', () => {
    const { context } = observed();
    const err = thrown(() => new ServiceAlerts(microservice(context, 'products'), 'alerts'));
    expect(err.code).toBe(ErrorCode.MISSING_REQUIRED);
    expect(err.message).toBe("catalog/products/alerts: 'workload' ('catalog/products') must be scraped: its alerts would watch series that are never collected; "
      + "declare new WorkloadMetrics(workload, 'metrics', { port }) before its alerts");
  });

  test('fails on malformed custom metrics', () => {
    expect(thrown(() => alerts({ instrumentation: Instrumentation.custom({ requestsMetric: 'http-requests', errorMatchers: 'code="500"' }) })).code).toBe(ErrorCode.INVALID_NAME);
    expect(thrown(() => alerts({ instrumentation: Instrumentation.custom({ requestsMetric: 'http_requests_total', errorMatchers: '{code="500"}' }) })).code).toBe(ErrorCode.INVALID_VALUE);
    expect(thrown(() => alerts({ instrumentation: Instrumentation.custom({ requestsMetric: 'r', errorMatchers: 'code="500"', latencyBucketMetric: '1x' }) })).code).toBe(ErrorCode.INVALID_NAME);
    expect(thrown(() => alerts({ instrumentation: Instrumentation.custom({ requestsMetric: 'r', errorMatchers: 'code="500"', latencyBuckets: [] }) })).code).toBe(ErrorCode.INVALID_VALUE);
  });

  test('fails on RED thresholds out of range', () => {
    expect(thrown(() => alerts({ errorRatioPercent: 0 })).code).toBe(ErrorCode.OUT_OF_RANGE);
    expect(thrown(() => alerts({ errorRatioPercent: 100 })).code).toBe(ErrorCode.OUT_OF_RANGE);
    expect(thrown(() => alerts({ for: Duration.seconds(30) })).code).toBe(ErrorCode.OUT_OF_RANGE);
    expect(thrown(() => alerts({ instrumentation: 'otel' as never })).code).toBe(ErrorCode.WRONG_TYPE);
  });

  test('fails on a scope that is not a workload, and on a latency threshold of 0', () => {
    const { context } = observed();
    expect(thrown(() => new ServiceAlerts(context as never, 'alerts')).code).toBe(ErrorCode.WRONG_SCOPE);
    expect(thrown(() => alerts({ instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.latency(99, Duration.millis(0))] })).code).toBe(ErrorCode.OUT_OF_RANGE);
  });

  test('fails on a second ServiceAlerts on one workload (both would render the PrometheusRule of the same name)', () => {
    const { alerts: first } = alerts();
    const e = thrown(() => new ServiceAlerts(first.workload, 'more-alerts'));
    expect(e).toMatchObject({ code: ErrorCode.DUPLICATE, prop: 'id', value: 'more-alerts' });
    expect(e.message).toContain(`${first.node.path} is declared already`);
    expect(e.message).toContain('declare ServiceAlerts once per workload');
  });

  test('names its rule groups after the job', () => {
    expect(alerts({ instrumentation: Instrumentation.openTelemetryHttp(), slos: [Slo.latency(99, Duration.millis(250)), Slo.availability(99)] }).alerts.groupNames)
      .toEqual(['catalog/products.red', 'catalog/products.slo-latency', 'catalog/products.slo-availability']);
  });

  test('a gRPC-only service can be alerted on through a metrics port of its own', () => {
    const { context } = observed();
    const auth = microservice(context, 'auth', { ports: [Port.grpc(9090), Port.http(9464, { name: 'metrics' })], readiness: Probe.grpc(), liveness: Probe.tcp() });
    new WorkloadMetrics(auth, 'metrics', { port: 'metrics' });
    new ServiceAlerts(auth, 'alerts', { instrumentation: Instrumentation.openTelemetryGrpc(), slos: [Slo.availability(99.95)] });
    const rule = find(objects(context), 'PrometheusRule', 'auth');
    expect(rule.spec.groups.map((g: Manifest) => g.name)).toEqual(['catalog/auth.red', 'catalog/auth.slo-availability']);
  });
});
