import { Duration } from 'cdk8s';
import {
  ApiGateway, ErrorCode, ErrorRatioQuery, GatewayTls, Image, Instrumentation, Microservice, Port, Probe, Progression,
  ProgressionAnalysis, ProgressionStep, Release, ServiceAlerts, WorkloadMetrics,
} from '../../lib';
import { find, Manifest, objects, thrown } from '../_helpers';
import { observed } from './_observed';

/**
 * A scraped, alerted 'products' in 'catalog' whose canary Argo Rollouts moves, its
 * analysis reading `instrumentation`'s error ratio; what the context renders.
 */
function canary(instrumentation: Instrumentation): { out: Manifest[]; alerts: ServiceAlerts } {
  const { app, platform, context } = observed();
  const query = ErrorRatioQuery.promql(instrumentation.errorRatioExpression(context, 'products'));
  const products = new Microservice(context, 'products', {
    image: Image.fromTag('ghcr.io/acme/products', '1.8.2'), ports: [Port.http(8080)], readiness: Probe.http('/ready'), liveness: Probe.http('/live'),
    release: Release.canary({
      image: Image.fromTag('ghcr.io/acme/products', '1.9.0'),
      progression: Progression.argoRollouts({
        steps: [ProgressionStep.setWeight(10), ProgressionStep.analysis()],
        analysis: ProgressionAnalysis.errorRatio({ prometheusAddress: 'http://prometheus.monitoring.svc:9090', query, maxErrorRatio: 0.01 }),
      }),
    }),
  });
  new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') })
    .addRoute({ host: 'api.example.com', path: '/products', service: products });
  new WorkloadMetrics(products, 'metrics', { port: 'http' });
  const alerts = new ServiceAlerts(products, 'alerts', { instrumentation });
  return { out: objects(context), alerts };
}

/** The expression of the rendered ServiceErrorRatioHigh alert, without its threshold. */
function alertedRatio(out: Manifest[]): string {
  const red = find(out, 'PrometheusRule', 'products').spec.groups.find((g: Manifest) => g.name === 'catalog/products.red');
  const rule = red.rules.find((r: Manifest) => r.alert === 'ServiceErrorRatioHigh');
  expect(rule.expr).toMatch(/ > 0\.05$/);
  return rule.expr.replace(/ > 0\.05$/, '');
}

describe('Instrumentation.errorRatioExpression: the canary analysis reads the declared error ratio', () => {
  test.each([
    ['OpenTelemetry HTTP', Instrumentation.openTelemetryHttp()],
    ['OpenTelemetry gRPC', Instrumentation.openTelemetryGrpc()],
    ['custom', Instrumentation.custom({ requestsMetric: 'http_requests_total', errorMatchers: 'code=~"5.."' })],
  ])('%s: the AnalysisTemplate queries exactly what the error-ratio alert computes', (_name, instrumentation) => {
    const { out } = canary(instrumentation);
    const template = find(out, 'AnalysisTemplate', 'products-error-ratio');
    expect(template.spec.metrics[0].provider.prometheus.query).toBe(alertedRatio(out));
    expect(template.spec.metrics[0].successCondition).toBe('result[0] <= 0.01');
  });

  test('the OpenTelemetry HTTP expression over the default 5 minutes, on the scrape job WorkloadMetrics sets', () => {
    const { context } = observed();
    expect(Instrumentation.openTelemetryHttp().errorRatioExpression(context, 'products')).toBe(
      '(sum(rate(http_server_request_duration_seconds_count{job="catalog/products",http_response_status_code=~"5.."}[5m])) or vector(0))'
      + ' / sum(rate(http_server_request_duration_seconds_count{job="catalog/products"}[5m]))');
    const { out } = canary(Instrumentation.openTelemetryHttp());
    const monitor = find(out, 'ServiceMonitor', 'products');
    expect(monitor.spec.endpoints[0].relabelings).toEqual([{ action: 'replace', targetLabel: 'job', replacement: 'catalog/products' }]);
  });

  test('a longer window', () => {
    const { context } = observed();
    const e = Instrumentation.custom({ requestsMetric: 'http_requests_total', errorMatchers: 'code=~"5.."' }).errorRatioExpression(context, 'products', Duration.minutes(10));
    expect(e).toBe('(sum(rate(http_requests_total{job="catalog/products",code=~"5.."}[10m])) or vector(0)) / sum(rate(http_requests_total{job="catalog/products"}[10m]))');
  });

  test.each([
    [Duration.minutes(4), '240s'],
    [Duration.seconds(330), '330s'],
  ])('fails on a window of %s', (window, shown) => {
    const { context } = observed();
    const e = thrown(() => Instrumentation.openTelemetryHttp().errorRatioExpression(context, 'products', window));
    expect(e.code).toBe(ErrorCode.OUT_OF_RANGE);
    expect(e.message).toBe(`catalog: 'window' ('${shown}') must be whole minutes from 5: a shorter rate window may hold fewer than four samples at the scrape interval; use Duration.minutes(5) (the default) or longer`);
  });

  test('fails on a service name that is no Service name', () => {
    const { context } = observed();
    const e = thrown(() => Instrumentation.openTelemetryHttp().errorRatioExpression(context, 'Products'));
    expect(e.code).toBe(ErrorCode.INVALID_NAME);
    expect(e.prop).toBe('service');
  });

  test('fails on a custom instrumentation PromQL would not accept', () => {
    const { context } = observed();
    const e = thrown(() => Instrumentation.custom({ requestsMetric: 'http requests', errorMatchers: 'code=~"5.."' }).errorRatioExpression(context, 'products'));
    expect(e.prop).toBe('instrumentation.requestsMetric');
  });

  test('fails without a bounded context', () => {
    const e = thrown(() => Instrumentation.openTelemetryHttp().errorRatioExpression('catalog' as any, 'products'));
    expect(e.code).toBe(ErrorCode.WRONG_TYPE);
    expect(e.message).toBe("'context' ('catalog') must be the service's BoundedContext; pass the bounded context the service is declared in");
  });
});
