import {
  Environment, ErrorCode, Image, OtlpProtocol, PlatformMonitoringProps, Release, TraceSampler, Worker, WorkloadTracing,
} from '../../lib';
import { find, Manifest, microservice, objects, resolvedEnv, setup, thrown } from '../_helpers';
import { PlatformMonitoring } from '../../lib';

const ENDPOINT = 'http://otel-collector.observability.svc:4318';

/** The platform 'shop' (in `environment` when given) with a collector, and the context 'catalog'. */
function traced(monitoring: PlatformMonitoringProps = { otlpEndpoint: ENDPOINT }, environment?: Environment) {
  const { app, platform, context } = setup({}, environment ? { environment } : {});
  new PlatformMonitoring(platform, 'monitoring', monitoring);
  return { app, platform, context };
}

/**
 * The environment the kubelet gives the container of `deployment`: ConfigMap values
 * read, fields of a pod named `podName` read, and `$(NAME)` expanded to a variable
 * listed before it (as Kubernetes does; an unknown or later one stays as written).
 */
function kubeletEnv(out: Manifest[], deployment: Manifest, podName: string): { [name: string]: string } {
  const fromConfig = resolvedEnv(out, deployment);
  const pod = { name: podName, namespace: deployment.metadata.namespace, labels: deployment.spec.template.metadata.labels };
  const env: { [name: string]: string } = {};
  deployment.spec.template.spec.containers[0].env.forEach((e: Manifest, i: number) => {
    const path: string | undefined = e.valueFrom?.fieldRef?.fieldPath;
    const label = path && /^metadata\.labels\['(.+)'\]$/.exec(path);
    const raw = path === 'metadata.name' ? pod.name : path === 'metadata.namespace' ? pod.namespace : label ? pod.labels[label[1]]
      : path ? `unknown field ${path}` : fromConfig[i].value;
    env[e.name] = e.value === undefined ? raw : raw.replace(/\$\(([^)]*)\)/g, (whole: string, ref: string) => env[ref] ?? whole);
  });
  return env;
}

describe('PlatformMonitoring: the collector', () => {
  test('defaults: OTLP over HTTP, the namespace of the endpoint\'s host, the Helm chart\'s pod label, the endpoint\'s port', () => {
    const { platform } = traced();
    const c = PlatformMonitoring.of(platform)!.collector!;
    expect(c).toEqual({ endpoint: ENDPOINT, protocol: OtlpProtocol.HTTP_PROTOBUF, namespace: 'observability',
      podLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector' }, port: 4318 });
    expect(c.protocol.value).toBe('http/protobuf');
  });

  test('no collector without an endpoint', () => {
    const { platform } = traced({});
    expect(PlatformMonitoring.of(platform)!.collector).toBeUndefined();
  });

  test('an endpoint without a port: 80 for http, 443 for https; a namespace from a cluster.local host', () => {
    expect(PlatformMonitoring.of(traced({ otlpEndpoint: 'http://collector.tracing.svc.cluster.local' }).platform)!.collector)
      .toMatchObject({ namespace: 'tracing', port: 80 });
    expect(PlatformMonitoring.of(traced({ otlpEndpoint: 'https://collector.example.com', collectorNamespace: 'tracing' }).platform)!.collector)
      .toMatchObject({ namespace: 'tracing', port: 443 });
  });

  test('gRPC, a namespace, pod labels and a pod port of one\'s own', () => {
    const c = PlatformMonitoring.of(traced({ otlpEndpoint: 'http://otel.obs.svc:4317', otlpProtocol: OtlpProtocol.GRPC, collectorNamespace: 'otel',
      collectorPodLabels: { app: 'collector' }, collectorPort: 14317 }).platform)!.collector!;
    expect(c).toEqual({ endpoint: 'http://otel.obs.svc:4317', protocol: OtlpProtocol.GRPC, namespace: 'otel', podLabels: { app: 'collector' }, port: 14317 });
    expect(c.protocol.value).toBe('grpc');
  });

  test.each([
    ['otel-collector:4318'], ['grpc://otel.obs.svc:4317'], ['http://user:pw@otel.obs.svc:4318'], ['not a url'],
  ])('fails on an endpoint that is not an http(s) URL: %s', (endpoint) => {
    const e = thrown(() => traced({ otlpEndpoint: endpoint }));
    expect(e.code).toBe(ErrorCode.INVALID_VALUE);
    expect(e.message).toBe(`shop/monitoring: 'otlpEndpoint' ('${endpoint}') must be an http or https URL of the collector, without credentials, query or fragment; use a URL such as 'http://otel-collector.observability.svc:4318'`);
  });

  test('fails on an endpoint outside the cluster without a collector namespace', () => {
    const e = thrown(() => traced({ otlpEndpoint: 'https://collector.example.com' }));
    expect(e.code).toBe(ErrorCode.MISSING_REQUIRED);
    expect(e.message).toBe("shop/monitoring: 'collectorNamespace' ('none') must be given: the endpoint's host 'collector.example.com' is no in-cluster Service name (<service>.<namespace>.svc) to read it from; give the namespace of the collector's pods, or an endpoint such as 'http://otel-collector.observability.svc:4318'");
  });

  test.each([
    [{ collectorPort: 0 }, 'collectorPort'], [{ collectorPort: 70000 }, 'collectorPort'], [{ collectorNamespace: 'Obs' }, 'collectorNamespace'],
    [{ collectorPodLabels: {} }, 'collectorPodLabels'], [{ otlpProtocol: 'grpc' as any }, 'otlpProtocol'],
  ])('fails on %o', (extra, prop) => {
    expect(thrown(() => traced({ otlpEndpoint: ENDPOINT, ...extra })).prop).toBe(prop);
  });
});

describe('WorkloadTracing', () => {
  test('defaults: parent-based always-on sampling, no sampler argument', () => {
    const { context } = traced();
    const t = new WorkloadTracing(microservice(context, 'products'), 'tracing');
    expect(t.sampler).toBe(TraceSampler.PARENT_BASED_ALWAYS_ON);
    const env = kubeletEnv(objects(context), find(objects(context), 'Deployment', 'products'), 'products-7d4b9-x2v4q');
    expect(env.OTEL_TRACES_SAMPLER).toBe('parentbased_always_on');
    expect(env.OTEL_TRACES_SAMPLER_ARG).toBeUndefined();
  });

  test('every attribute, as the kubelet expands them in a pod', () => {
    const { context } = traced(undefined, Environment.of('prod'));
    new WorkloadTracing(microservice(context, 'products'), 'tracing', { sampler: TraceSampler.parentBasedRatio(10) });
    const out = objects(context);
    const env = kubeletEnv(out, find(out, 'Deployment', 'products'), 'products-7d4b9-x2v4q');
    expect(env).toMatchObject({
      OTEL_SERVICE_NAME: 'products',
      OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=catalog,service.version=1.0.0,deployment.environment.name=prod,k8s.namespace.name=catalog,k8s.pod.name=products-7d4b9-x2v4q',
      OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
  });

  test('the pod fields come from the downward API and the attributes are written in the pod spec, after them', () => {
    const { context } = traced();
    new WorkloadTracing(microservice(context, 'products'), 'tracing');
    const env: Manifest[] = find(objects(context), 'Deployment', 'products').spec.template.spec.containers[0].env;
    const byName = Object.fromEntries(env.map(e => [e.name, e]));
    expect(byName.K8S_POD_NAME.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(byName.K8S_NAMESPACE_NAME.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(byName.SERVICE_VERSION.valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/version']" } });
    expect(byName.OTEL_RESOURCE_ATTRIBUTES.value).toBe('service.namespace=catalog,service.version=$(SERVICE_VERSION),k8s.namespace.name=$(K8S_NAMESPACE_NAME),k8s.pod.name=$(K8S_POD_NAME)');
    expect(env[env.length - 1].name).toBe('OTEL_RESOURCE_ATTRIBUTES');
    expect(byName.OTEL_SERVICE_NAME.valueFrom.configMapKeyRef).toBeDefined();
  });

  test('each track of a release reports its own version', () => {
    const { context } = traced();
    const products = microservice(context, 'products', {
      image: Image.fromTag('ghcr.io/acme/products', '1.0.0'),
      release: Release.blueGreen({ image: Image.fromTag('ghcr.io/acme/products', '1.1.0'), active: require('../../lib').Colour.BLUE }),
    });
    new WorkloadTracing(products, 'tracing');
    const out = objects(context);
    expect(kubeletEnv(out, find(out, 'Deployment', 'products'), 'p').OTEL_RESOURCE_ATTRIBUTES).toContain('service.version=1.0.0,');
    expect(kubeletEnv(out, find(out, 'Deployment', 'products-green'), 'p').OTEL_RESOURCE_ATTRIBUTES).toContain('service.version=1.1.0,');
    // the egress policy selects the pods of both tracks
    expect(find(out, 'NetworkPolicy', 'products-tracing').spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'products' } });
  });

  test('a NetworkPolicy lets the workload reach the collector\'s pods on exactly its port', () => {
    const { context } = traced({ otlpEndpoint: 'http://otel.obs.svc:4317', otlpProtocol: OtlpProtocol.GRPC, collectorPodLabels: { app: 'collector' } });
    new WorkloadTracing(new Worker(context, 'indexer', { image: Image.fromTag('ghcr.io/acme/indexer', '2.0.0'), withoutProbes: 'a queue consumer with no port' }), 'tracing', { sampler: TraceSampler.ratio(25) });
    const out = objects(context);
    expect(find(out, 'NetworkPolicy', 'indexer-tracing').spec).toEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'indexer' } },
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'obs' } }, podSelector: { matchLabels: { app: 'collector' } } }],
        ports: [{ protocol: 'TCP', port: 4317 }],
      }],
    });
    const env = kubeletEnv(out, find(out, 'Deployment', 'indexer'), 'indexer-1');
    expect(env).toMatchObject({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' });
    expect(env.OTEL_RESOURCE_ATTRIBUTES).not.toContain('deployment.environment.name');
  });

  test.each([[-1], [100.5], [Number.NaN]])('fails on a sampling percent of %s', (percent) => {
    const { context } = traced();
    const e = thrown(() => new WorkloadTracing(microservice(context, 'products'), 'tracing', { sampler: TraceSampler.parentBasedRatio(percent) }));
    expect(e.code).toBe(ErrorCode.OUT_OF_RANGE);
    expect(e.message).toContain("catalog/products/tracing: 'sampler'");
  });

  test('fails without a collector', () => {
    const { context } = traced({});
    const e = thrown(() => new WorkloadTracing(microservice(context, 'products'), 'tracing'));
    expect(e.code).toBe(ErrorCode.MISSING_REQUIRED);
    expect(e.message).toContain("catalog/products/tracing: 'platform' ('shop') must declare an OpenTelemetry collector before a workload is traced");
  });

  test('fails twice on one workload, on a sampler that is not a TraceSampler, and on a variable the workload sets already', () => {
    const { context } = traced();
    const products = microservice(context, 'products');
    new WorkloadTracing(products, 'tracing');
    expect(thrown(() => new WorkloadTracing(products, 'tracing2')).code).toBe(ErrorCode.DUPLICATE);
    expect(thrown(() => new WorkloadTracing(microservice(context, 'orders'), 'tracing', { sampler: 'always_on' as any })).prop).toBe('sampler');
    const ratings = microservice(context, 'ratings');
    ratings.addEnv('OTEL_SERVICE_NAME', 'stars');
    expect(thrown(() => new WorkloadTracing(ratings, 'tracing')).code).toBe(ErrorCode.DUPLICATE);
  });

  test('fails when another workload is named like its policy', () => {
    const { context } = traced();
    new WorkloadTracing(microservice(context, 'products'), 'tracing');
    microservice(context, 'products-tracing');
    const e = thrown(() => objects(context));
    expect(e.message).toContain("renders the NetworkPolicy 'products-tracing', which catalog/products-tracing renders too");
  });

  test('forEveryWorkload traces the context\'s workloads not traced yet, and keeps a service\'s own sampling', () => {
    const { context } = traced();
    const search = microservice(context, 'search');
    new WorkloadTracing(search, 'tracing', { sampler: TraceSampler.parentBasedRatio(5) });
    const products = microservice(context, 'products');
    const indexer = new Worker(context, 'indexer', { image: Image.fromTag('ghcr.io/acme/indexer', '2.0.0'), withoutProbes: 'a queue consumer with no port' });
    const added = WorkloadTracing.forEveryWorkload(context, { sampler: TraceSampler.ALWAYS_ON });
    expect(added.map(t => t.workload)).toEqual([products, indexer]);
    expect(WorkloadTracing.of(search)!.sampler.name).toBe('parentbased_traceidratio');
    expect(WorkloadTracing.of(products)!.sampler).toBe(TraceSampler.ALWAYS_ON);
    expect(WorkloadTracing.forEveryWorkload(context)).toEqual([]);
    const out = objects(context);
    expect(['search', 'products', 'indexer'].map(n => find(out, 'NetworkPolicy', `${n}-tracing`).spec.policyTypes)).toEqual([['Egress'], ['Egress'], ['Egress']]);
    expect(kubeletEnv(out, find(out, 'Deployment', 'indexer'), 'indexer-1').OTEL_SERVICE_NAME).toBe('indexer');
  });

  test('forEveryWorkload fails on something that is not a bounded context', () => {
    expect(thrown(() => WorkloadTracing.forEveryWorkload('catalog' as any)).code).toBe(ErrorCode.WRONG_TYPE);
  });
});
