import { BoundedContext, ErrorCode, PlatformMonitoring } from '../../lib';
import { setup, thrown } from '../_helpers';
import { observed } from './_observed';

describe('PlatformMonitoring', () => {
  test('defaults: Prometheus of kube-prometheus-stack in monitoring, selected by the release label', () => {
    const { monitoring, platform } = observed();
    expect(monitoring.prometheusNamespace).toBe('monitoring');
    expect(monitoring.prometheusPodLabels).toEqual({ 'app.kubernetes.io/name': 'prometheus' });
    expect(monitoring.monitorLabels).toEqual({ release: 'kube-prometheus-stack' });
    expect(monitoring.ruleLabels).toEqual({ release: 'kube-prometheus-stack' });
    expect(monitoring.otlpEndpoint).toBeUndefined();
    expect(PlatformMonitoring.of(platform)).toBe(monitoring);
  });

  test('rule labels follow the monitor labels unless given', () => {
    expect(observed({ monitorLabels: { release: 'prom' } }).monitoring.ruleLabels).toEqual({ release: 'prom' });
    expect(observed({ monitorLabels: { release: 'prom' }, ruleLabels: { role: 'alert-rules' } }).monitoring.ruleLabels).toEqual({ role: 'alert-rules' });
  });

  test('getters return copies', () => {
    const { monitoring } = observed();
    monitoring.monitorLabels.release = 'changed';
    monitoring.prometheusPodLabels.x = 'y';
    expect(monitoring.monitorLabels).toEqual({ release: 'kube-prometheus-stack' });
    expect(monitoring.prometheusPodLabels).toEqual({ 'app.kubernetes.io/name': 'prometheus' });
  });

  test('a platform without it has none', () => {
    expect(PlatformMonitoring.of(setup().platform)).toBeUndefined();
  });

  test('accepts an http or https collector endpoint', () => {
    expect(observed({ otlpEndpoint: 'http://otel-collector.observability.svc:4318' }).monitoring.otlpEndpoint).toBe('http://otel-collector.observability.svc:4318');
    expect(observed({ otlpEndpoint: 'https://collector.example.com', collectorNamespace: 'tracing' }).monitoring.otlpEndpoint).toBe('https://collector.example.com');
  });

  test.each(['otel-collector:4317', 'grpc://collector:4317', 'http://user:pw@collector:4318', 'http://collector:4318/?x=1', ''])(
    'fails when the collector endpoint is not a URL of the collector (%s)', (endpoint) => {
      const err = thrown(() => observed({ otlpEndpoint: endpoint }));
      expect(err.code).toBe(ErrorCode.INVALID_VALUE);
      expect(err.message).toContain("shop/monitoring: 'otlpEndpoint'");
      expect(err.message).toContain('must be an http or https URL of the collector');
    });

  test('fails when declared twice on a platform', () => {
    const { platform } = observed();
    const err = thrown(() => new PlatformMonitoring(platform, 'monitoring-2'));
    expect(err.code).toBe(ErrorCode.DUPLICATE);
    expect(err.message).toBe("shop/monitoring-2: 'id' ('monitoring-2') must be the platform's only monitoring, but shop/monitoring is declared already; declare PlatformMonitoring once per platform");
  });

  test('fails when declared on something other than a platform', () => {
    const { context } = setup();
    const err = thrown(() => new PlatformMonitoring(context as never, 'monitoring'));
    expect(err.code).toBe(ErrorCode.WRONG_SCOPE);
    expect(context).toBeInstanceOf(BoundedContext);
  });

  test('fails on empty or malformed labels', () => {
    expect(thrown(() => observed({ monitorLabels: {} })).code).toBe(ErrorCode.MISSING_REQUIRED);
    expect(thrown(() => observed({ prometheusPodLabels: { 'bad key!': 'x' } })).code).toBe(ErrorCode.INVALID_NAME);
    expect(thrown(() => observed({ ruleLabels: { release: 'no spaces allowed' } })).code).toBe(ErrorCode.INVALID_NAME);
    expect(thrown(() => observed({ prometheusNamespace: 'Monitoring' })).code).toBe(ErrorCode.INVALID_NAME);
  });
});
