import { Duration, Size } from 'cdk8s';
import {
  ApiGateway, BoundedContext, CircuitBreaker, GatewayImplementation, GatewayTls, HeaderMatch, PathRewrite, PathType, Port, RateLimit, Retries,
} from '../../lib';
import { find, Manifest, objects, setup } from '../_helpers';
import { buildApiGateway as build, service } from './_gateway';

const ENVOY_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } },
  podSelector: {
    matchLabels: {
      'app.kubernetes.io/name': 'envoy', 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway',
      'gateway.envoyproxy.io/owning-gateway-name': 'public', 'gateway.envoyproxy.io/owning-gateway-namespace': 'public',
    },
  },
};

const listeners = (out: Manifest[]) => find(out, 'Gateway', 'public').spec.listeners as Manifest[];

describe('ApiGateway', () => {
  describe('defaults', () => {
    test('the resolved defaults: Envoy Gateway, own namespace, 60s requests, 1Mi bodies, 5s connect, secret <gateway>-tls for cert-manager', () => {
      const { gateway } = build({ tls: GatewayTls.certManager('letsencrypt-prod') });
      expect(gateway.implementation.name).toBe('Envoy Gateway');
      expect(gateway.implementation.className).toBe('eg');
      expect(gateway.implementation.namespace).toBe('envoy-gateway-system');
      expect(gateway.gatewayNamespace).toBe('public');
      expect(gateway.allowPlainHttp).toBe(false);
      expect(gateway.requestTimeout.toSeconds()).toBe(60);
      expect(gateway.maxRequestBodySize?.toMebibytes()).toBe(1);
      expect(gateway.connectTimeout?.toSeconds()).toBe(5);
      expect(gateway.rateLimit).toBeUndefined();
      expect(gateway.retries).toBeUndefined();
      expect(gateway.circuitBreaker).toBeUndefined();
      expect(gateway.clientTimeouts).toBeUndefined();
      expect(gateway.allowedSourceRanges).toEqual([]);
      expect(gateway.proxyReplicas).toBe(2);
      expect(gateway.proxyMaxReplicas).toBeUndefined();
      expect(gateway.tlsSecretName).toBe('public-tls');
    });

    test('one Gateway in a namespace of its own: an HTTPS listener per host with the one certificate, and an HTTP listener for the redirect', () => {
      const { gateway, products } = build({ tls: GatewayTls.certManager('letsencrypt-prod') });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const out = objects(gateway);
      const gw = find(out, 'Gateway', 'public');
      expect(gw.apiVersion).toBe('gateway.networking.k8s.io/v1');
      expect(gw.metadata.namespace).toBe('public');
      expect(gw.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'letsencrypt-prod' });
      expect(gw.spec.gatewayClassName).toBe('eg');
      expect(gw.spec.listeners).toEqual([
        {
          name: 'https-api-example-com', protocol: 'HTTPS', port: 443, hostname: 'api.example.com',
          tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'public-tls' }] },
          allowedRoutes: {
            namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['catalog'] }] } },
            kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }, { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' }],
          },
        },
        { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }] } },
      ]);
      expect(find(out, 'HTTPRoute', 'public-https-redirect').spec).toEqual({
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', sectionName: 'http' }],
        hostnames: ['api.example.com'],
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      });
    });

    test('the gateway namespace is treated like a bounded context: restricted, quota without load balancers, limit range, default-deny', () => {
      const { gateway, products } = build();
      gateway.addRoute({ host: 'api.example.com', service: products });
      const out = objects(gateway);
      expect(out.slice(0, 4).map(o => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
        'Namespace /public', 'ResourceQuota public/gateway-quota', 'LimitRange public/container-limits', 'NetworkPolicy public/default-deny',
      ]);
      expect(find(out, 'Namespace', 'public').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' });
      expect(find(out, 'ResourceQuota', 'gateway-quota').spec.hard).toMatchObject({ 'pods': '4', 'services.loadbalancers': '0', 'services.nodeports': '0' });
      expect(find(out, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    test('a route renders an HTTPRoute <gateway>-<service>-<listener> in the service namespace: Prefix /, the first HTTP port, the default timeout', () => {
      const { gateway, products } = build();
      const route = gateway.addRoute({ host: 'api.example.com', service: products });
      expect(route).toEqual({ host: 'api.example.com', path: '/', pathType: PathType.PREFIX, service: products, port: products.ports[0], url: 'https://api.example.com/' });
      const r = find(objects(gateway), 'HTTPRoute', 'public-products-https-api-example-com');
      expect(r.metadata.namespace).toBe('catalog');
      expect(r.spec).toEqual({
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'public', name: 'public', sectionName: 'https-api-example-com' }],
        hostnames: ['api.example.com'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ group: '', kind: 'Service', name: 'products', port: 8080 }], timeouts: { request: '1m' } }],
      });
    });

    test('a routed service lets in only this gateway\'s Envoy proxies, only on the routed container ports', () => {
      const { app, platform, context } = setup();
      const api = service(context, 'api', [Port.http(8080, { servicePort: 80 }), Port.http(8081, { name: 'http-admin' }), Port.grpc(9090)]);
      const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
      gateway.addRoute({ host: 'api.example.com', path: '/v1', service: api });
      gateway.addGrpcRoute({ host: 'api.example.com', service: api });
      expect(find(objects(gateway), 'NetworkPolicy', 'api-from-public').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [ENVOY_PEER], ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 9090 }] }],
      });
    });

    test('Envoy Gateway renders the defaults as a BackendTrafficPolicy and TLS 1.2 as a ClientTrafficPolicy, both on the Gateway', () => {
      const { gateway, products } = build();
      gateway.addRoute({ host: 'api.example.com', service: products });
      const out = objects(gateway);
      const targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }];
      expect(find(out, 'BackendTrafficPolicy', 'public').spec).toEqual({ targetRefs, requestBuffer: { limit: '1Mi' }, timeout: { tcp: { connectTimeout: '5s' } } });
      expect(find(out, 'ClientTrafficPolicy', 'public').spec).toEqual({ targetRefs, tls: { minVersion: '1.2' } });
    });
  });

  describe('listeners and routes', () => {
    test('each listener admits only the namespaces of the contexts routed on its host', () => {
      const { app, platform, context } = setup();
      const products = service(context, 'products');
      const orders = new BoundedContext(app, 'orders', { platform, team: 'orders-team' });
      const checkout = service(orders, 'checkout');
      const gateway = new ApiGateway(app, 'edge', { platform, hosts: ['api.example.com', 'shop.example.com'], tls: GatewayTls.fromSecret('edge-tls') });
      gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
      gateway.addRoute({ host: 'api.example.com', path: '/checkout', service: checkout });
      gateway.addRoute({ host: 'shop.example.com', service: checkout });
      const admitted = (find(objects(gateway), 'Gateway', 'edge').spec.listeners as Manifest[])
        .map(l => `${l.name}: ${l.allowedRoutes.namespaces.from} ${l.allowedRoutes.namespaces.selector?.matchExpressions[0].values.join(',') ?? ''}`);
      expect(admitted).toEqual(['https-api-example-com: Selector catalog,orders', 'https-shop-example-com: Selector orders', 'http: Same ']);
      expect(gateway.listenerNames).toEqual(['https-api-example-com', 'https-shop-example-com', 'http']);
    });

    test('a wildcard host is one listener; a route on a subdomain attaches to it', () => {
      const { gateway, products } = build({ hosts: ['*.shop.example.com'] });
      gateway.addRoute({ host: 'de.shop.example.com', path: '/products', service: products });
      const out = objects(gateway);
      expect(listeners(out)[0]).toMatchObject({ name: 'https-wildcard-shop-example-com', hostname: '*.shop.example.com' });
      const r = find(out, 'HTTPRoute', 'public-products-https-wildcard-shop-example-com');
      expect(r.spec.hostnames).toEqual(['de.shop.example.com']);
      expect(r.spec.parentRefs[0].sectionName).toBe('https-wildcard-shop-example-com');
    });

    test('routes of one service on one host share one HTTPRoute, a rule each, with header matches, header changes, rewrites and timeouts', () => {
      const { gateway, products } = build();
      gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products, rewritePath: PathRewrite.replacePrefix('/'), timeout: Duration.seconds(5) });
      gateway.addRoute({
        host: 'api.example.com', path: '/catalog', service: products, headers: [HeaderMatch.exact('X-Api-Version', '2')],
        requestHeaders: { set: { 'X-Gateway': 'public' }, add: { 'X-Trace': 'on' }, remove: ['Cookie'] }, responseHeaders: { remove: ['Server'] },
      });
      gateway.addRoute({ host: 'api.example.com', path: '/health', pathType: PathType.EXACT, service: products, rewritePath: PathRewrite.replaceFull('/ready') });
      const out = objects(gateway);
      expect(out.filter(o => o.kind === 'HTTPRoute' && o.metadata.namespace === 'catalog')).toHaveLength(1);
      expect(find(out, 'HTTPRoute', 'public-products-https-api-example-com').spec.rules).toEqual([
        {
          matches: [{ path: { type: 'PathPrefix', value: '/catalog' } }],
          filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
          backendRefs: [{ group: '', kind: 'Service', name: 'products', port: 8080 }], timeouts: { request: '5s' },
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/catalog' }, headers: [{ type: 'Exact', name: 'X-Api-Version', value: '2' }] }],
          filters: [
            { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Gateway', value: 'public' }], add: [{ name: 'X-Trace', value: 'on' }], remove: ['Cookie'] } },
            { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['Server'] } },
          ],
          backendRefs: [{ group: '', kind: 'Service', name: 'products', port: 8080 }], timeouts: { request: '1m' },
        },
        {
          matches: [{ path: { type: 'Exact', value: '/health' } }],
          filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/ready' } } }],
          backendRefs: [{ group: '', kind: 'Service', name: 'products', port: 8080 }], timeouts: { request: '1m' },
        },
      ]);
    });

    test('CORS renders the standard CORS filter with the documented defaults on every HTTP rule', () => {
      const { gateway, products } = build({ cors: { allowOrigins: ['https://shop.example.com'] } });
      gateway.addRoute({ host: 'api.example.com', service: products });
      expect(find(objects(gateway), 'HTTPRoute', 'public-products-https-api-example-com').spec.rules[0].filters).toEqual([{
        type: 'CORS',
        cors: {
          allowOrigins: ['https://shop.example.com'], allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
          allowHeaders: ['Authorization', 'Content-Type'], allowCredentials: false, maxAge: 3600,
        },
      }]);
    });

    test('a gRPC port gets a GRPCRoute with service and method matches', () => {
      const { app, platform, context } = setup();
      const orders = service(context, 'orders', [Port.grpc(9090)]);
      const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
      const route = gateway.addGrpcRoute({ host: 'api.example.com', service: orders, grpcService: 'acme.orders.v1.Orders', method: 'GetOrder' });
      gateway.addGrpcRoute({ host: 'api.example.com', service: orders, grpcService: 'acme.orders.v1.Admin', headers: [HeaderMatch.exact('x-team', 'ops')] });
      expect(route).toMatchObject({ listenerName: 'https-api-example-com', port: orders.ports[0], url: 'https://api.example.com/acme.orders.v1.Orders/GetOrder' });
      const r = find(objects(gateway), 'GRPCRoute', 'public-orders-https-api-example-com');
      expect(r.spec.rules).toEqual([
        { matches: [{ method: { type: 'Exact', service: 'acme.orders.v1.Orders', method: 'GetOrder' } }], backendRefs: [{ group: '', kind: 'Service', name: 'orders', port: 9090 }] },
        { matches: [{ method: { type: 'Exact', service: 'acme.orders.v1.Admin' }, headers: [{ type: 'Exact', name: 'x-team', value: 'ops' }] }], backendRefs: [{ group: '', kind: 'Service', name: 'orders', port: 9090 }] },
      ]);
      expect(gateway.streamRoutes).toHaveLength(2);
    });

    test('a GRPCRoute gets the Gateway\'s traffic policy without the request buffer (the body limit), which would hang gRPC streams', () => {
      const { app, platform, context } = setup();
      const orders = service(context, 'orders', [Port.grpc(9090)]);
      const gateway = new ApiGateway(app, 'public', {
        platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls'), rateLimit: RateLimit.perSecond(20), retries: Retries.onConnectionFailure(1),
      });
      gateway.addGrpcRoute({ host: 'api.example.com', service: orders, grpcService: 'acme.orders.v1.Orders' });
      gateway.addGrpcRoute({ host: 'api.example.com', service: orders, grpcService: 'acme.orders.v1.Admin' });
      const out = objects(gateway);
      const onGateway = find(out, 'BackendTrafficPolicy', 'public');
      expect(onGateway.spec.requestBuffer).toEqual({ limit: '1Mi' });
      const policies = out.filter(o => o.kind === 'BackendTrafficPolicy' && o.metadata.namespace === 'catalog');
      expect(policies).toHaveLength(1);
      const onRoute = policies[0];
      expect(onRoute.metadata.name).toBe('public-orders-https-api-example-com');
      expect(onRoute.metadata.labels).toEqual(find(out, 'GRPCRoute', 'public-orders-https-api-example-com').metadata.labels);
      const { targetRefs, requestBuffer, ...rest } = onGateway.spec;
      expect(onRoute.spec).toEqual({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', name: 'public-orders-https-api-example-com' }], ...rest });
      expect(rest).toHaveProperty('rateLimit');
      expect(rest).toHaveProperty('retry');
    });

    test('a streaming route (WebSocket, streamed uploads) gets an HTTPRoute of its own with the Gateway\'s traffic policy minus the request buffer', () => {
      const { gateway, products } = build({ rateLimit: RateLimit.perSecond(20) });
      gateway.addRoute({ host: 'api.example.com', path: '/api', service: products });
      gateway.addRoute({ host: 'api.example.com', path: '/live', service: products, streaming: true });
      gateway.addRoute({ host: 'api.example.com', path: '/upload', service: products, streaming: true });
      const out = objects(gateway);
      expect(find(out, 'HTTPRoute', 'public-products-https-api-example-com').spec.rules.map((r: Manifest) => r.matches[0].path.value)).toEqual(['/api']);
      const streaming = find(out, 'HTTPRoute', 'public-products-https-api-example-com-streaming');
      expect(streaming.spec.parentRefs).toEqual(find(out, 'HTTPRoute', 'public-products-https-api-example-com').spec.parentRefs);
      expect(streaming.spec.rules.map((r: Manifest) => r.matches[0].path.value)).toEqual(['/live', '/upload']);
      const onGateway = find(out, 'BackendTrafficPolicy', 'public');
      const { targetRefs, requestBuffer, ...rest } = onGateway.spec;
      expect(requestBuffer).toEqual({ limit: '1Mi' });
      const onRoutes = out.filter(o => o.kind === 'BackendTrafficPolicy' && o.metadata.namespace === 'catalog');
      expect(onRoutes.map(o => o.metadata.name)).toEqual(['public-products-https-api-example-com-streaming']);
      expect(onRoutes[0].spec).toEqual({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'public-products-https-api-example-com-streaming' }], ...rest });
    });

        test('TLS passthrough gets a listener of its own and a TLSRoute; plain TCP a port listener and a TCPRoute', () => {
      const { app, platform, context } = setup();
      const db = service(context, 'db', [Port.tcp(5432, { name: 'postgres' })]);
      const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
      gateway.addRoute({ host: 'api.example.com', service: service(context, 'web') });
      expect(gateway.addTlsPassthroughRoute({ host: 'db.example.com', service: db }).url).toBe('tls://db.example.com:443');
      expect(gateway.addTcpRoute({ listenerPort: 5432, service: db }).url).toBe('tcp://public.public:5432');
      const out = objects(gateway);
      const admits = (ns: string) => ({ from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [ns] }] } });
      expect(listeners(out).slice(2)).toEqual([
        { name: 'tls-db-example-com', protocol: 'TLS', port: 443, hostname: 'db.example.com', tls: { mode: 'Passthrough' },
          allowedRoutes: { namespaces: admits('catalog'), kinds: [{ group: 'gateway.networking.k8s.io', kind: 'TLSRoute' }] } },
        { name: 'tcp-5432', protocol: 'TCP', port: 5432, allowedRoutes: { namespaces: admits('catalog'), kinds: [{ group: 'gateway.networking.k8s.io', kind: 'TCPRoute' }] } },
      ]);
      expect(find(out, 'TLSRoute', 'public-db-tls-db-example-com').spec).toMatchObject({ hostnames: ['db.example.com'], rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'db', port: 5432 }] }] });
      expect(find(out, 'TCPRoute', 'public-db-tcp-5432').spec).toMatchObject({ parentRefs: [{ sectionName: 'tcp-5432' }], rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'db', port: 5432 }] }] });
      expect(find(out, 'NetworkPolicy', 'db-from-public').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 5432 }]);
    });

    test('useImplementationNamespace puts the Gateway and its policies in Envoy Gateway\'s namespace and renders no namespace', () => {
      const { gateway, products } = build({ useImplementationNamespace: true });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const out = objects(gateway);
      expect(out.filter(o => ['Namespace', 'ResourceQuota', 'LimitRange'].includes(o.kind))).toEqual([]);
      expect(out.filter(o => o.metadata.namespace === 'envoy-gateway-system').map(o => o.kind)).toEqual(['Gateway', 'HTTPRoute', 'EnvoyProxy', 'BackendTrafficPolicy', 'ClientTrafficPolicy']);
      expect(find(out, 'NetworkPolicy', 'products-from-public').spec.ingress[0].from[0].podSelector.matchLabels['gateway.envoyproxy.io/owning-gateway-namespace']).toBe('envoy-gateway-system');
    });

    test('a plain-HTTP development gateway: explicit opt-in, one HTTP listener per host, no redirect, no TLS policy', () => {
      const { gateway, products } = build({ tls: undefined, allowPlainHttp: true });
      expect(gateway.addRoute({ host: 'api.example.com', service: products }).url).toBe('http://api.example.com/');
      const out = objects(gateway);
      expect(listeners(out).map(l => `${l.name} ${l.protocol}:${l.port} ${l.tls ? 'tls' : '-'}`)).toEqual(['http-api-example-com HTTP:80 -']);
      expect(out.filter(o => o.kind === 'ClientTrafficPolicy' || o.metadata.name === 'public-https-redirect')).toEqual([]);
      expect(gateway.tlsSecretName).toBeUndefined();
    });
  });

  describe('implementations', () => {
    test('Envoy Gateway: rate limit per client address (IPv4 and IPv6), retries, circuit breaker, client timeouts', () => {
      const { gateway, products } = build({
        rateLimit: RateLimit.perMinute(600), retries: Retries.onGatewayErrors(2, { perTryTimeout: Duration.seconds(2) }), circuitBreaker: CircuitBreaker.limits({ maxConnections: 100 }),
        clientTimeouts: { requestReceived: Duration.seconds(30), idle: Duration.minutes(5) }, maxRequestBodySize: Size.kibibytes(512), connectTimeout: Duration.millis(2500),
      });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const out = objects(gateway);
      const perClient = (cidr: string) => ({ clientSelectors: [{ sourceCIDR: { type: 'Distinct', value: cidr } }], limit: { requests: 600, unit: 'Minute' } });
      expect(find(out, 'BackendTrafficPolicy', 'public').spec).toMatchObject({
        rateLimit: { local: { rules: [perClient('0.0.0.0/0'), perClient('::/0')] } },
        requestBuffer: { limit: '512Ki' },
        timeout: { tcp: { connectTimeout: '2500ms' } },
        retry: { numRetries: 2, perRetry: { timeout: '2s' }, retryOn: { triggers: ['connect-failure', 'refused-stream', 'reset', 'retriable-status-codes'], httpStatusCodes: [502, 503, 504] } },
        circuitBreaker: { maxConnections: 100, maxPendingRequests: 1024, maxParallelRequests: 1024 },
      });
      expect(find(out, 'ClientTrafficPolicy', 'public').spec.timeout).toEqual({ http: { requestReceivedTimeout: '30s', idleTimeout: '5m' } });
    });

    test('Envoy Gateway: the Gateway names an EnvoyProxy of its own: 2 proxies by default, spread over zones and nodes, all but one kept available, critical priority', () => {
      const { gateway, products } = build();
      gateway.addRoute({ host: 'api.example.com', service: products });
      const out = objects(gateway);
      expect(find(out, 'Gateway', 'public').spec.infrastructure).toEqual({ parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'public' } });
      const proxy = find(out, 'EnvoyProxy', 'public');
      expect(proxy.apiVersion).toBe('gateway.envoyproxy.io/v1alpha1');
      expect(proxy.metadata.namespace).toBe('public');
      const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
        maxSkew: 1, topologyKey, whenUnsatisfiable, labelSelector: { matchLabels: ENVOY_PEER.podSelector.matchLabels }, matchLabelKeys: ['pod-template-hash'], nodeTaintsPolicy: 'Honor',
      });
      expect(proxy.spec).toEqual({
        provider: {
          type: 'Kubernetes',
          kubernetes: {
            envoyDeployment: {
              replicas: 2,
              pod: { priorityClassName: 'shop-critical', topologySpreadConstraints: [spread('topology.kubernetes.io/zone', 'ScheduleAnyway'), spread('kubernetes.io/hostname', 'DoNotSchedule')] },
            },
            envoyPDB: { maxUnavailable: 1 },
          },
        },
      });
      expect(proxy.spec.provider.kubernetes).not.toHaveProperty('envoyHpa');
      const three = build({ proxyReplicas: 3 });
      three.gateway.addRoute({ host: 'api.example.com', service: three.products });
      expect(three.gateway.proxyReplicas).toBe(3);
      expect(find(objects(three.gateway), 'EnvoyProxy', 'public').spec.provider.kubernetes.envoyDeployment.replicas).toBe(3);
    });

        test('Envoy Gateway: proxyMaxReplicas autoscales the proxies on CPU from proxyReplicas up to it, instead of a fixed count', () => {
      const { gateway, products } = build({ proxyReplicas: 3, proxyMaxReplicas: 10 });
      gateway.addRoute({ host: 'api.example.com', service: products });
      expect(gateway.proxyMaxReplicas).toBe(10);
      const kubernetes = find(objects(gateway), 'EnvoyProxy', 'public').spec.provider.kubernetes;
      expect(kubernetes.envoyHpa).toEqual({
        minReplicas: 3, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      });
      expect(kubernetes.envoyDeployment).not.toHaveProperty('replicas');
      expect(kubernetes.envoyPDB).toEqual({ maxUnavailable: 1 });
    });

        test('Envoy Gateway: allowed source ranges are a SecurityPolicy on the Gateway that allows them and denies the rest; none by default', () => {
      const ranges = ['203.0.113.0/24', '2001:db8::/32'];
      const { gateway, products } = build({ allowedSourceRanges: ranges });
      gateway.addRoute({ host: 'api.example.com', service: products });
      expect(gateway.allowedSourceRanges).toEqual(ranges);
      const policy = find(objects(gateway), 'SecurityPolicy', 'public');
      expect(policy.apiVersion).toBe('gateway.envoyproxy.io/v1alpha1');
      expect(policy.metadata.namespace).toBe('public');
      expect(policy.spec).toEqual({
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
        authorization: { defaultAction: 'Deny', rules: [{ name: 'allowed-source-ranges', action: 'Allow', principal: { clientCIDRs: ranges } }] },
      });
      const open = build();
      open.gateway.addRoute({ host: 'api.example.com', service: open.products });
      expect(objects(open.gateway).filter(o => o.kind === 'SecurityPolicy')).toEqual([]);
    });

        test('Retries.onConnectionFailure retries only requests that never reached a pod; a rate limit burst of 1 is what Envoy does', () => {
      const { gateway, products } = build({ retries: Retries.onConnectionFailure(1), rateLimit: RateLimit.perSecond(5, { burstMultiplier: 1 }) });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const spec = find(objects(gateway), 'BackendTrafficPolicy', 'public').spec;
      expect(spec.retry).toEqual({ numRetries: 1, retryOn: { triggers: ['connect-failure', 'refused-stream'] } });
      expect(spec.rateLimit.local.rules[0].limit).toEqual({ requests: 5, unit: 'Second' });
    });

    test('Envoy Gateway options: GatewayClass and namespace', () => {
      const { gateway, products } = build({ implementation: GatewayImplementation.envoyGateway({ className: 'public-eg', namespace: 'edge' }) });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const out = objects(gateway);
      expect(find(out, 'Gateway', 'public').spec.gatewayClassName).toBe('public-eg');
      expect(find(out, 'NetworkPolicy', 'products-from-public').spec.ingress[0].from[0].namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'edge' } });
    });

    test('a generic implementation renders standard resources only, and lets in the pods it is told', () => {
      const implementation = GatewayImplementation.generic('cilium', { namespace: 'kube-system', podLabels: { 'k8s-app': 'cilium-envoy' } });
      const { gateway, products } = build({ implementation });
      expect(gateway.maxRequestBodySize).toBeUndefined();
      expect(gateway.connectTimeout).toBeUndefined();
      expect(gateway.proxyReplicas).toBeUndefined();
      expect(implementation.podLabels).toEqual({ 'k8s-app': 'cilium-envoy' });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const out = objects(gateway);
      gateway.addGrpcRoute({ host: 'api.example.com', service: service(products.context, 'orders', [Port.grpc(9090)]), grpcService: 'acme.orders.v1.Orders' });
      expect(objects(gateway).filter(o => !o.apiVersion.startsWith('gateway.networking.k8s.io/') && !['v1', 'networking.k8s.io/v1'].includes(o.apiVersion))).toEqual([]);
      expect(find(out, 'Gateway', 'public').spec.gatewayClassName).toBe('cilium');
      expect(find(out, 'NetworkPolicy', 'products-from-public').spec.ingress[0].from).toEqual([{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'cilium-envoy' } },
      }]);
    });
  });
});
