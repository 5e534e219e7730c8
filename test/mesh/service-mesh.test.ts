import { ApiGateway, BoundedContext, ConfigurationError, GatewayTls, IstioMode, Port, ServiceMesh, Worker, Image, Probe } from '../../lib';
import { find, microservice, objects, setup, Manifest } from '../_helpers';

const sidecar = () => setup({}, { mesh: ServiceMesh.istio() });

function policy(chart: Parameters<typeof objects>[0], name: string): Manifest {
  return find(objects(chart), 'AuthorizationPolicy', name);
}

describe('ServiceMesh.istio', () => {
  test('defaults: sidecar mode, trust domain cluster.local, the CNI node agent installed', () => {
    const mesh = ServiceMesh.istio();
    expect(mesh.mode).toBe(IstioMode.SIDECAR);
    expect(mesh.trustDomain).toBe('cluster.local');
    expect(mesh.cniNodeAgent).toBe(true);
    expect(mesh.name).toBe('Istio (sidecar)');
    expect(mesh.principal('orders', 'payments')).toBe('cluster.local/ns/orders/sa/payments');
  });

  test('no mesh by default: no namespace label, no Istio object', () => {
    const { platform, context } = setup();
    expect(platform.mesh).toBeUndefined();
    const out = objects(context);
    expect(find(out, 'Namespace', 'catalog').metadata.labels['istio-injection']).toBeUndefined();
    expect(out.filter(o => String(o.apiVersion).includes('istio.io'))).toEqual([]);
  });

  test('sidecar mode enrols the namespace for injection; ambient labels it for ztunnel', () => {
    expect(find(objects(sidecar().context), 'Namespace', 'catalog').metadata.labels['istio-injection']).toBe('enabled');
    const { context } = setup({}, { mesh: ServiceMesh.istio({ mode: IstioMode.AMBIENT }) });
    const labels = find(objects(context), 'Namespace', 'catalog').metadata.labels;
    expect(labels['istio.io/dataplane-mode']).toBe('ambient');
    expect(labels['istio-injection']).toBeUndefined();
  });

  test('every context requires mutual TLS and denies what no policy allows', () => {
    const out = objects(sidecar().context);
    expect(find(out, 'PeerAuthentication', 'default')).toMatchObject({ apiVersion: 'security.istio.io/v1', metadata: { namespace: 'catalog' }, spec: { mtls: { mode: 'STRICT' } } });
    expect(find(out, 'AuthorizationPolicy', 'default-deny').spec).toEqual({ action: 'ALLOW' });
  });

  test('a callee allows exactly the identities of its declared callers, on the called port', () => {
    const { app, platform, context } = sidecar();
    const orders = new BoundedContext(app, 'orders', { platform, team: 'orders-team' });
    const products = microservice(context, 'products', { ports: [Port.http(8080), Port.grpc(9090)] });
    const checkout = microservice(orders, 'checkout');
    const reviews = microservice(context, 'reviews');
    checkout.connectTo(products, { port: 'grpc', grpcServices: ['acme.catalog.v1.Products'] });
    reviews.connectTo(products, { methods: ['GET'], paths: ['/v1/products/*'] });
    expect(policy(context, 'products').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' } },
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/catalog/sa/reviews'] } }], to: [{ operation: { ports: ['8080'], methods: ['GET'], paths: ['/v1/products/*'] } }] },
        { from: [{ source: { principals: ['cluster.local/ns/orders/sa/checkout'] } }], to: [{ operation: { ports: ['9090'], paths: ['/acme.catalog.v1.Products/*'] } }] },
      ],
    });
    // nobody calls reviews: its policy allows nothing
    expect(policy(context, 'reviews').spec).toEqual({ selector: { matchLabels: { 'app.kubernetes.io/name': 'reviews', 'app.kubernetes.io/instance': 'reviews' } }, action: 'ALLOW' });
  });

  test('the trust domain names the identities', () => {
    const { context } = setup({}, { mesh: ServiceMesh.istio({ trustDomain: 'prod.acme.example' }) });
    const products = microservice(context, 'products');
    microservice(context, 'reviews').connectTo(products);
    expect(policy(context, 'products').spec.rules[0].from[0].source.principals).toEqual(['prod.acme.example/ns/catalog/sa/reviews']);
  });

  test('a routed service allows the gateway implementation\'s proxies on the routed port', () => {
    const { app, platform, context } = sidecar();
    const api = microservice(context, 'api', { ports: [Port.http(8080), Port.grpc(9090)] });
    const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
    gateway.addRoute({ host: 'api.example.com', path: '/v1', service: api });
    gateway.addGrpcRoute({ host: 'api.example.com', service: api });
    expect(policy(context, 'api').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/envoy-gateway-system/sa/*'] } }], to: [{ operation: { ports: ['8080'] } }] },
      { from: [{ source: { principals: ['cluster.local/ns/envoy-gateway-system/sa/*'] } }], to: [{ operation: { ports: ['9090'] } }] },
    ]);
  });

  test('ambient mode: the calls\' NetworkPolicy rules admit HBONE (15008) beside the called port', () => {
    const { context } = setup({}, { mesh: ServiceMesh.istio({ mode: IstioMode.AMBIENT }) });
    const products = microservice(context, 'products');
    microservice(context, 'reviews').connectTo(products);
    const out = objects(context);
    const ports = [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 15008 }];
    expect(find(out, 'NetworkPolicy', 'products').spec.ingress[0].ports).toEqual(ports);
    expect(find(out, 'NetworkPolicy', 'reviews').spec.egress[0].ports).toEqual(ports);
    expect(ServiceMesh.istio({ mode: IstioMode.AMBIENT })._tunnelPort).toBe(15008);
    expect(ServiceMesh.istio()._tunnelPort).toBeUndefined();
  });

  test('a worker gets a policy that allows nothing (it is never called)', () => {
    const { context } = sidecar();
    new Worker(context, 'relay', { image: Image.fromTag('ghcr.io/acme/relay', '1.0.0'), readiness: Probe.exec(['/ready']), liveness: Probe.exec(['/alive']) });
    expect(policy(context, 'relay').spec.rules).toBeUndefined();
  });
});

describe('refusals', () => {
  const code = (f: () => unknown) => {
    try { f(); } catch (e) { return [(e as ConfigurationError).code, (e as Error).message]; }
    return undefined;
  };

  test('request rules without a mesh', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    const [c, m] = code(() => microservice(context, 'reviews').connectTo(products, { methods: ['GET'] }))!;
    expect(c).toBe('CONFLICT');
    expect(m).toMatch(/^catalog\/reviews: 'connectTo\(methods\)' \(.*\) is enforced by a service mesh, and platform 'shop' declares none.*; set the Platform's mesh/);
  });

  test('a path on a gRPC port, a gRPC service on an HTTP port, a method on a TCP port', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products', { ports: [Port.http(8080), Port.grpc(9090), Port.tcp(7000, { name: 'raw' })] });
    const reviews = microservice(context, 'reviews');
    expect(() => reviews.connectTo(products, { port: 'grpc', paths: ['/v1/*'] })).toThrow(/'connectTo\(paths\)' .* must be set on an HTTP port only, but port 'grpc' speaks grpc.*grpcServices instead/);
    expect(() => reviews.connectTo(products, { port: 'http', grpcServices: ['acme.v1.Products'] })).toThrow(/'connectTo\(grpcServices\)' .* must be set on a gRPC port only, but port 'http' speaks http.*paths/);
    expect(() => reviews.connectTo(products, { port: 'raw', methods: ['GET'] })).toThrow(/must be set on an HTTP port only, but port 'raw' speaks tcp/);
  });

  test('malformed methods, paths and services; empty lists', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products', { ports: [Port.http(8080), Port.grpc(9090)] });
    const reviews = microservice(context, 'reviews');
    expect(code(() => reviews.connectTo(products, { methods: ['get'] }))![0]).toBe('UNKNOWN_OPTION');
    expect(code(() => reviews.connectTo(products, { paths: ['v1/*'] }))![0]).toBe('INVALID_VALUE');
    expect(code(() => reviews.connectTo(products, { paths: ['/v1/*/x'] }))![0]).toBe('INVALID_VALUE');
    expect(code(() => reviews.connectTo(products, { port: 'grpc', grpcServices: ['Products'] }))![0]).toBe('INVALID_VALUE');
    expect(code(() => reviews.connectTo(products, { paths: [] }))![0]).toBe('MISSING_REQUIRED');
  });

  test('the same call declared again with other request rules', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products');
    const reviews = microservice(context, 'reviews');
    reviews.connectTo(products, { methods: ['GET'] });
    expect(reviews.connectTo(products, { methods: ['GET'] }).methods).toEqual(['GET']);
    expect(code(() => reviews.connectTo(products, { methods: ['POST'] }))![0]).toBe('CONFLICT');
  });

  test('request rules in ambient mode (no waypoint)', () => {
    const { context } = setup({}, { mesh: ServiceMesh.istio({ mode: IstioMode.AMBIENT }) });
    const products = microservice(context, 'products');
    const [c, m] = code(() => microservice(context, 'reviews').connectTo(products, { paths: ['/v1/*'] }))!;
    expect(c).toBe('UNSUPPORTED_BY_IMPLEMENTATION');
    expect(m).toMatch(/cannot be enforced by Istio in ambient mode without a waypoint proxy/);
  });

  test('sidecar mode without the CNI node agent (Pod Security restricted refuses istio-init)', () => {
    const [c, m] = code(() => setup({}, { mesh: ServiceMesh.istio({ cniNodeAgent: false }) }))!;
    expect(c).toBe('CONFLICT');
    expect(m).toMatch(/^catalog: 'mesh.cniNodeAgent' \('false'\) must be true: without Istio's CNI node agent, sidecar injection adds the istio-init container \(NET_ADMIN, NET_RAW\)/);
    expect(code(() => setup({}, { mesh: ServiceMesh.istio({ mode: IstioMode.AMBIENT, cniNodeAgent: false }) }))![1]).toMatch(/ambient mode runs on Istio's CNI node agent/);
  });

  test('a trust domain that is no DNS domain; a mode that is no IstioMode; a mesh that is no ServiceMesh', () => {
    expect(code(() => setup({}, { mesh: ServiceMesh.istio({ trustDomain: 'Cluster Local' }) }))![0]).toBe('INVALID_NAME');
    expect(code(() => setup({}, { mesh: ServiceMesh.istio({ mode: 'ambient' as never }) }))![0]).toBe('UNKNOWN_OPTION');
    expect(code(() => setup({}, { mesh: 'istio' as never }))![0]).toBe('WRONG_TYPE');
  });
});
