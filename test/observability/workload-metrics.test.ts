import { Duration } from 'cdk8s';
import { ApiGateway, ErrorCode, GatewayTls, Image, Port, Probe, Release, WorkloadMetrics, Worker } from '../../lib';
import { find, microservice, objects, setup, thrown } from '../_helpers';
import { observed } from './_observed';

describe('WorkloadMetrics', () => {
  test('defaults: path /metrics, every 30 s, job <namespace>/<name>', () => {
    const { context } = observed();
    const metrics = new WorkloadMetrics(microservice(context, 'products'), 'metrics', { port: 'http' });
    expect(metrics.path).toBe('/metrics');
    expect(metrics.interval.toSeconds()).toBe(30);
    expect(metrics.job).toBe('catalog/products');
    expect(metrics.monitorKind).toBe('ServiceMonitor');
  });

  test('a microservice is scraped through a ServiceMonitor on its Service, labelled for the Prometheus selector', () => {
    const { context } = observed({ monitorLabels: { release: 'prom' } });
    const products = microservice(context, 'products', { ports: [Port.http(8080), Port.http(9464, { name: 'metrics' })] });
    new WorkloadMetrics(products, 'metrics', { port: 'metrics', path: '/stats', interval: Duration.seconds(15) });
    const out = objects(context);
    const monitor = find(out, 'ServiceMonitor', 'products');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata).toMatchObject({ namespace: 'catalog', labels: { release: 'prom', 'app.kubernetes.io/instance': 'products' } });
    expect(monitor.spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/instance': 'products' } },
      endpoints: [{
        port: 'metrics', path: '/stats', interval: '15s', scheme: 'http',
        relabelings: [{ action: 'replace', targetLabel: 'job', replacement: 'catalog/products' }],
      }],
    });
    // the Service it selects carries the label and the port
    const service = find(out, 'Service', 'products');
    expect(service.metadata.labels['app.kubernetes.io/instance']).toBe('products');
    expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain('metrics');
    expect(out.filter(o => o.kind === 'PodMonitor')).toEqual([]);
  });

  test('a worker is scraped through a PodMonitor selecting its pods', () => {
    const { context } = observed();
    const relay = new Worker(context, 'relay', {
      image: Image.fromTag('ghcr.io/acme/relay', '1.0.0'),
      ports: [Port.http(9090, { name: 'metrics' })],
      readiness: Probe.http('/ready', { port: 'metrics' }),
      liveness: Probe.http('/live', { port: 'metrics' }),
    });
    const metrics = new WorkloadMetrics(relay, 'metrics', { port: 'metrics' });
    expect(metrics.monitorKind).toBe('PodMonitor');
    const monitor = find(objects(context), 'PodMonitor', 'relay');
    expect(monitor.spec).toEqual({
      selector: { matchLabels: relay.selectorLabels },
      podMetricsEndpoints: [{
        port: 'metrics', path: '/metrics', interval: '30s', scheme: 'http',
        relabelings: [{ action: 'replace', targetLabel: 'job', replacement: 'catalog/relay' }],
      }],
    });
  });

  test('a sidecar exporter\'s port is scraped through a PodMonitor (it is not on the Service)', () => {
    const { context } = observed();
    const products = microservice(context, 'products');
    products.addSidecar('exporter', {
      image: Image.fromTag('ghcr.io/acme/exporter', '1.0.0'),
      ports: [Port.http(9121, { name: 'exporter' })],
      readiness: Probe.http('/health', { port: 'exporter' }),
      liveness: Probe.tcp({ port: 'exporter' }),
    });
    const metrics = new WorkloadMetrics(products, 'metrics', { port: 'exporter' });
    expect(metrics.monitorKind).toBe('PodMonitor');
    expect(metrics.port.containerPort).toBe(9121);
    const out = objects(context);
    expect(find(out, 'PodMonitor', 'products').spec.podMetricsEndpoints[0].port).toBe('exporter');
    expect(find(out, 'NetworkPolicy', 'products-metrics').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9121 }]);
  });

  test('the metrics port is open to the platform\'s Prometheus pods alone, and to nothing else', () => {
    const { context } = observed({ prometheusNamespace: 'observability', prometheusPodLabels: { 'app.kubernetes.io/name': 'prometheus', prometheus: 'k8s' } });
    const products = microservice(context, 'products', { ports: [Port.http(8080), Port.http(9464, { name: 'metrics' })] });
    new WorkloadMetrics(products, 'metrics', { port: 'metrics' });
    const out = objects(context);
    const policy = find(out, 'NetworkPolicy', 'products-metrics');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'products' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'prometheus': 'k8s' } },
        }],
        ports: [{ protocol: 'TCP', port: 9464 }],
      }],
    });
    // the workload's own policy still admits no caller on any port: nothing else is opened
    expect(find(out, 'NetworkPolicy', 'products').spec.ingress).toBeUndefined();
  });

  test('with a release, the Service scrapes the pods of both tracks and the policy admits Prometheus to both', () => {
    const { app, platform, context } = observed();
    const products = microservice(context, 'products', { release: Release.canary({ image: Image.fromTag('ghcr.io/acme/products', '2.0.0'), weight: 10 }) });
    new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') }).addRoute({ host: 'api.example.com', path: '/p', service: products });
    new WorkloadMetrics(products, 'metrics', { port: 'http' });
    const out = objects(context);
    // the ServiceMonitor selects the Service 'products' alone, which selects both tracks' pods: each pod is scraped once
    expect(find(out, 'ServiceMonitor', 'products').spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'products' } });
    expect(out.filter(m => m.kind === 'Service' && m.metadata.labels['app.kubernetes.io/instance'] === 'products').map(m => m.spec.selector))
      .toEqual([{ 'app.kubernetes.io/name': 'products' }]);
    expect(find(out, 'NetworkPolicy', 'products-metrics').spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'products' } });
    for (const d of [find(out, 'Deployment', 'products'), find(out, 'Deployment', 'products-canary')]) {
      expect(d.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('products');
    }
  });

  test('a workload without it is not scraped', () => {
    const { context } = observed();
    microservice(context, 'products');
    const kinds = objects(context).map(o => o.kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PodMonitor');
  });

  test('fails when the port is not one the workload has', () => {
    const { context } = observed();
    const err = thrown(() => new WorkloadMetrics(microservice(context, 'products'), 'metrics', { port: 'metrics' }));
    expect(err.code).toBe(ErrorCode.UNKNOWN_REFERENCE);
    expect(err.message).toBe("catalog/products/metrics: 'port' ('metrics') must name a port of catalog/products or of its sidecars ('http'); "
      + 'name the port that serves the metrics, or add it to the workload (or to its exporter sidecar) first');
  });

  test('fails when the port is a gRPC port', () => {
    const { context } = observed();
    const err = thrown(() => new WorkloadMetrics(microservice(context, 'products', { ports: [Port.grpc(9090)], readiness: Probe.grpc(), liveness: Probe.tcp() }), 'metrics', { port: 'grpc' }));
    expect(err.code).toBe(ErrorCode.INVALID_VALUE);
    expect(err.message).toContain('must serve HTTP');
  });

  test('fails when the scrape interval is under 5 s', () => {
    const { context } = observed();
    const err = thrown(() => new WorkloadMetrics(microservice(context, 'products'), 'metrics', { port: 'http', interval: Duration.seconds(2) }));
    expect(err.code).toBe(ErrorCode.OUT_OF_RANGE);
    expect(err.message).toBe("catalog/products/metrics: 'interval' ('2s') must be at least 5 seconds; use Duration.seconds(5) or more");
  });

  test('fails when the scrape interval is longer than the shortest alert window allows', () => {
    const { context } = observed();
    const products = microservice(context, 'products');
    expect(new WorkloadMetrics(products, 'metrics', { port: 'http', interval: Duration.seconds(75) }).interval.toSeconds()).toBe(75);
    const err = thrown(() => new WorkloadMetrics(microservice(context, 'orders'), 'metrics', { port: 'http', interval: Duration.seconds(76) }));
    expect(err.code).toBe(ErrorCode.OUT_OF_RANGE);
    expect(err.message).toBe("catalog/orders/metrics: 'interval' ('76s') must be at most 75s: the alerts compute rates over 5m, which need 4 samples; use Duration.seconds(75) or less");
  });

  test('fails on a path that is not an absolute HTTP path', () => {
    const { context } = observed();
    expect(thrown(() => new WorkloadMetrics(microservice(context, 'products'), 'metrics', { port: 'http', path: 'metrics' })).code).toBe(ErrorCode.INVALID_VALUE);
  });

  test('fails when the platform has no monitoring declared', () => {
    const { context } = setup();
    const err = thrown(() => new WorkloadMetrics(microservice(context, 'products'), 'metrics', { port: 'http' }));
    expect(err.code).toBe(ErrorCode.MISSING_REQUIRED);
    expect(err.message).toContain("declare new PlatformMonitoring(platform, 'monitoring', { ... }) once");
  });

  test('fails when declared twice on a workload', () => {
    const { context } = observed();
    const products = microservice(context, 'products');
    new WorkloadMetrics(products, 'metrics', { port: 'http' });
    expect(thrown(() => new WorkloadMetrics(products, 'metrics-2', { port: 'http' })).code).toBe(ErrorCode.DUPLICATE);
  });

  test('fails on a scope that is not a workload', () => {
    const { context } = observed();
    expect(thrown(() => new WorkloadMetrics(context as never, 'metrics', { port: 'http' })).code).toBe(ErrorCode.WRONG_SCOPE);
  });
});

test('fails at synth when another workload has the name of the metrics NetworkPolicy', () => {
  const { context } = observed();
  new WorkloadMetrics(microservice(context, 'products'), 'metrics', { port: 'http' });
  microservice(context, 'products-metrics');
  expect(() => objects(context)).toThrow("catalog/products/metrics: 'port' ('http') renders the NetworkPolicy 'products-metrics', which catalog/products-metrics renders too");
});
