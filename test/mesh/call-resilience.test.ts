import { Duration } from 'cdk8s';
import { ApiGateway, ConfigurationError, GatewayTls, Image, IRelease, IstioMode, MAX_TRIES_PER_REQUEST, Port, Release, ServiceMesh } from '../../lib';
import { find, microservice, objects, setup, Manifest } from '../_helpers';

const sidecar = () => setup({}, { mesh: ServiceMesh.istio() });
const err = (f: () => unknown): ConfigurationError => {
  try { f(); } catch (e) { return e as ConfigurationError; }
  throw new Error('expected a refusal');
};

describe('call resilience: production defaults', () => {
  const { context } = sidecar();
  const products = microservice(context, 'products', { ports: [Port.http(8080), Port.grpc(9090)] });
  const reviews = microservice(context, 'reviews');
  const http = reviews.connectTo(products);
  const grpc = reviews.connectTo(products, { port: 'grpc' });
  const out = objects(context);

  test('an HTTP call: a 10 s timeout, 2 retries of idempotent methods on 502/503/504 with 25 ms backoff, each try a third of the rest', () => {
    const r = http._resilience!;
    expect(r.timeout!.toMilliseconds()).toBe(10_000);
    expect(r.retries).toMatchObject({ attempts: 2, statusCodes: [502, 503, 504], nonIdempotent: false });
    expect(r.retries!.backoff.toMilliseconds()).toBe(25);
    expect(r.retries!.perTryTimeout.toMilliseconds()).toBe(3316);
    expect(MAX_TRIES_PER_REQUEST).toBe(3);
  });

  test('outlier detection: 5 consecutive 5xx or 3 gateway errors, every 10 s, 30 s ejection, at most 50 %; pool: 1000 connections, pending, requests, 200 retries', () => {
    const r = http._resilience!;
    expect(r.outlierDetection).toMatchObject({ consecutive5xxErrors: 5, consecutiveGatewayErrors: 3, maxEjectionPercent: 50 });
    expect(r.outlierDetection.interval.toSeconds()).toBe(10);
    expect(r.outlierDetection.baseEjectionTime.toSeconds()).toBe(30);
    expect(r.connectionPool).toEqual({ maxConnections: 1000, maxPendingRequests: 1000, maxRequests: 1000, maxRetries: 200 });
  });

  test('a gRPC call gets no timeout nor retries (GRPCRoute has none), but the traffic policy', () => {
    expect(grpc._resilience!.timeout).toBeUndefined();
    expect(grpc._resilience!.retries).toBeUndefined();
    expect(grpc._resilience!.connectionPool.maxRequests).toBe(1000);
  });

  test('the mesh route: an HTTPRoute on the callee\'s Service, retrying idempotent methods only', () => {
    expect(find(out, 'HTTPRoute', 'products-mesh-http').spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'products', port: 8080 }],
      rules: [
        {
          matches: ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'].map(method => ({ method })),
          backendRefs: [{ group: '', kind: 'Service', name: 'products', port: 8080 }],
          timeouts: { request: '10s', backendRequest: '3316ms' },
          retry: { attempts: 2, backoff: '25ms', codes: [502, 503, 504] },
        },
        { backendRefs: [{ group: '', kind: 'Service', name: 'products', port: 8080 }], timeouts: { request: '10s' } },
      ],
    });
    expect(out.filter(o => o.kind === 'HTTPRoute' || o.kind === 'GRPCRoute').map(o => o.metadata.name)).toEqual(['products-mesh-http']);
  });

  test('the DestinationRule: outlier detection and connection pool per called port', () => {
    const dr = find(out, 'DestinationRule', 'products');
    expect(dr.apiVersion).toBe('networking.istio.io/v1');
    expect(dr.spec.host).toBe('products.catalog.svc.cluster.local');
    expect(dr.spec.trafficPolicy.portLevelSettings.map((p: Manifest) => p.port.number)).toEqual([8080, 9090]);
    expect(dr.spec.trafficPolicy.portLevelSettings[0]).toEqual({
      port: { number: 8080 },
      connectionPool: { tcp: { maxConnections: 1000 }, http: { http1MaxPendingRequests: 1000, http2MaxRequests: 1000, maxRetries: 200 } },
      outlierDetection: { consecutive5xxErrors: 5, consecutiveGatewayErrors: 3, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    });
  });
});

describe('call resilience: options', () => {
  test('acknowledged non-idempotent retries: one rule for every method', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products');
    microservice(context, 'reviews').connectTo(products, { timeout: Duration.seconds(2), retries: { attempts: 1, nonIdempotent: true, perTryTimeout: Duration.millis(900) } });
    expect(find(objects(context), 'HTTPRoute', 'products-mesh-http').spec.rules).toEqual([
      { backendRefs: [{ group: '', kind: 'Service', name: 'products', port: 8080 }], timeouts: { request: '2s', backendRequest: '900ms' }, retry: { attempts: 1, backoff: '25ms', codes: [502, 503, 504] } },
    ]);
  });

  test('retries off: the timeout only', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products');
    microservice(context, 'reviews').connectTo(products, { retries: { attempts: 0 } });
    expect(find(objects(context), 'HTTPRoute', 'products-mesh-http').spec.rules).toEqual([{ backendRefs: [{ group: '', kind: 'Service', name: 'products', port: 8080 }], timeouts: { request: '10s' } }]);
  });

  test('ambient mode renders no route or traffic policy (no waypoint)', () => {
    const { context } = setup({}, { mesh: ServiceMesh.istio({ mode: IstioMode.AMBIENT }) });
    const products = microservice(context, 'products');
    expect(microservice(context, 'reviews').connectTo(products)._resilience).toBeUndefined();
    expect(objects(context).filter(o => ['HTTPRoute', 'DestinationRule'].includes(o.kind))).toEqual([]);
  });
});

describe('call resilience: refusals', () => {
  test('mesh options without a mesh', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    const e = err(() => microservice(context, 'reviews').connectTo(products, { timeout: Duration.seconds(2) }));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/^catalog\/reviews: 'connectTo\(timeout\)' \('2000ms'\) is rendered on the service mesh .* and platform 'shop' declares none; set the Platform's mesh/);
  });

  test('options in ambient mode', () => {
    const { context } = setup({}, { mesh: ServiceMesh.istio({ mode: IstioMode.AMBIENT }) });
    const products = microservice(context, 'products');
    expect(err(() => microservice(context, 'reviews').connectTo(products, { retries: { attempts: 1 } })).code).toBe('UNSUPPORTED_BY_IMPLEMENTATION');
  });

  test('retries on a non-idempotent call without acknowledgement', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products');
    const e = err(() => microservice(context, 'reviews').connectTo(products, { methods: ['POST'], retries: { attempts: 2 } }));
    expect(e.code).toBe('UNSAFE');
    expect(e.message).toMatch(/retries a call whose methods \(POST\) are not idempotent.*set retries.nonIdempotent: true/);
  });

  test('a retry policy that multiplies load past MAX_TRIES_PER_REQUEST', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products');
    const e = err(() => microservice(context, 'reviews').connectTo(products, { retries: { attempts: 3 } }));
    expect(e.code).toBe('OUT_OF_RANGE');
    expect(e.message).toMatch(/'connectTo\(retries.attempts\)' \(3\) must be a whole number between 0 and 2; a request becomes at most 3 tries/);
    expect(err(() => microservice(context, 'ratings').connectTo(products, { connectionPool: { maxRequests: 100, maxRetries: 101 } })).message).toMatch(/retry budget must not exceed connectionPool.maxRequests \(100\)/);
  });

  test('a retry policy whose worst case exceeds the call\'s timeout', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products');
    const e = err(() => microservice(context, 'reviews').connectTo(products, { timeout: Duration.seconds(1), retries: { attempts: 2, perTryTimeout: Duration.millis(400) } }));
    expect(e.code).toBe('CONFLICT');
    expect(e.message).toMatch(/'connectTo\(retries\)' \('3 tries of 400ms with 25ms backoff'\) must fit in the call's timeout \(1000ms\), but its worst case takes 1250ms/);
  });

  test('a timeout longer than the callee\'s termination grace period', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products', { terminationGracePeriod: Duration.seconds(5), preStopDelay: Duration.seconds(2) });
    const e = err(() => microservice(context, 'reviews').connectTo(products, { timeout: Duration.seconds(6) }));
    expect(e.message).toMatch(/must not exceed the callee's termination grace period \(catalog\/products: 5000ms\)/);
  });

  test('a timeout longer than the caller\'s own request timeout (a call into it, a gateway route to it)', () => {
    const { app, platform, context } = sidecar();
    const products = microservice(context, 'products');
    const reviews = microservice(context, 'reviews');
    const ratings = microservice(context, 'ratings');
    reviews.connectTo(products, { timeout: Duration.seconds(8), retries: { attempts: 0 } });
    ratings.connectTo(reviews, { timeout: Duration.seconds(4), retries: { attempts: 0 } });
    expect(() => app.synth()).toThrow(/catalog\/reviews: 'connectTo\(timeout\)' \('8000ms'\) must not exceed the caller's own request timeout \(4000ms, the call from catalog\/ratings\)/);
    const s2 = sidecar();
    const api = microservice(s2.context, 'api');
    const gateway = new ApiGateway(s2.app, 'public', { platform: s2.platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls'), requestTimeout: Duration.seconds(3) });
    gateway.addRoute({ host: 'api.example.com', service: api });
    api.connectTo(microservice(s2.context, 'backend'), { timeout: Duration.seconds(5), retries: { attempts: 0 } });
    expect(() => s2.app.synth()).toThrow(/the route of public/);
    expect(platform).toBeDefined();
  });

  test('timeouts and retries on a gRPC or TCP call', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products', { ports: [Port.http(8080), Port.grpc(9090)] });
    const e = err(() => microservice(context, 'reviews').connectTo(products, { port: 'grpc', timeout: Duration.seconds(2) }));
    expect(e.code).toBe('UNSUPPORTED_BY_IMPLEMENTATION');
    expect(e.message).toMatch(/applies to HTTP calls only: a gRPC call's mesh route \(GRPCRoute, Gateway API standard channel v1.7.0\) has no timeout or retry/);
  });

  test('two callers of one port with other settings', () => {
    const { context } = sidecar();
    const products = microservice(context, 'products');
    microservice(context, 'reviews').connectTo(products, { timeout: Duration.seconds(2) });
    const e = err(() => microservice(context, 'ratings').connectTo(products, { timeout: Duration.seconds(3) }));
    expect(e.message).toMatch(/must match the resilience of catalog\/reviews's call to catalog\/products port 'http' .*every caller of a port shares the port's mesh route/);
  });
});

describe('releases east-west (the mesh route)', () => {
  const routed = (release: IRelease) => {
    const { app, platform, context } = sidecar();
    const products = microservice(context, 'products', { release });
    new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') }).addRoute({ host: 'api.example.com', service: products });
    microservice(context, 'reviews').connectTo(products, { retries: { attempts: 0 } });
    return find(objects(context), 'HTTPRoute', 'products-mesh-http').spec.rules;
  };
  const ref = (name: string, weight?: number) => ({ group: '', kind: 'Service', name, port: 8080, ...(weight === undefined ? {} : { weight }) });

  test('a canary: in-cluster calls split between the stable and the canary Service by the release\'s weight', () => {
    expect(routed(Release.canary({ image: Image.fromTag('ghcr.io/acme/products', '1.1.0'), weight: 10 }))).toEqual([
      { backendRefs: [ref('products-stable', 90), ref('products-canary', 10)], timeouts: { request: '10s' } },
    ]);
  });

  test('a shadow: in-cluster calls go to the stable Service and are mirrored to the shadow', () => {
    const rules = routed(Release.shadow({ image: Image.fromTag('ghcr.io/acme/products', '1.1.0'), percent: 20, mirrorsWritesReason: 'the shadow writes to its own store' }));
    expect(rules).toEqual([{
      backendRefs: [ref('products-stable')], timeouts: { request: '10s' },
      filters: [{ type: 'RequestMirror', requestMirror: { backendRef: ref('products-shadow'), percent: 20 } }],
    }]);
  });
});
