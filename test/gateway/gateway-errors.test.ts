import { Duration, Size } from 'cdk8s';
import {
  ApiGateway, BoundedContext, CircuitBreaker, GatewayImplementation, GatewayTls, HeaderMatch, IngressGateway, PathRewrite, PathType, Port, RateLimit,
  Retries,
} from '../../lib';
import { objects, setup, thrown } from '../_helpers';
import { buildApiGateway as build, service } from './_gateway';

const generic = GatewayImplementation.generic('cilium', { namespace: 'kube-system', podLabels: { 'k8s-app': 'cilium-envoy' } });

describe('ApiGateway errors', () => {
  test.each([
    ['rateLimit', { rateLimit: { requests: 10 } }, "'rateLimit' ({\"requests\":10}) must be a RateLimit; use RateLimit.perSecond(...) or RateLimit.perMinute(...)"],
    ['retries', { retries: { attempts: 2 } }, "'retries' ({\"attempts\":2}) must be a Retries; use Retries.onGatewayErrors(2) or Retries.onConnectionFailure(2), or leave retries unset"],
    ['circuitBreaker', { circuitBreaker: {} }, "'circuitBreaker' ({}) must be a CircuitBreaker; use CircuitBreaker.limits({ ... }), or leave circuitBreaker unset"],
    ['cors', { cors: 'https://shop.example.com' }, "'cors' ('https://shop.example.com') must be an object; pass CORS options such as { allowOrigins: ['https://shop.example.com'] }"],
    ['cors.allowOrigins', { cors: { allowOrigins: 'https://shop.example.com' } }, "'cors.allowOrigins' ('https://shop.example.com') must be an array; list the origins"],
  ])('fails when %s is not what its type says (plain JavaScript)', (prop, props, message) => {
    expect(() => build(props as never)).toThrow(`public: ${message}`);
    expect(thrown(() => build(props as never))).toMatchObject({ name: 'ConfigurationError', path: 'public', prop, code: 'WRONG_TYPE' });
  });

  test('fails when two routes have the same host and path', () => {
    const { context, gateway, products } = build();
    const reviews = service(context, 'reviews');
    gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
    expect(() => gateway.addRoute({ host: 'api.example.com', path: '/catalog/', service: reviews })).toThrow(
      "public: 'addRoute(path)' ('api.example.com/catalog/') must be routed once, but it already goes to catalog/products (port 'http'); remove one of the two routes, or give one another path");
    // the same path with a header match is another route
    expect(gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: reviews, headers: [HeaderMatch.exact('X-Beta', 'true')] }).path).toBe('/catalog');
  });

  test('fails when two gateways of one app route the same host and path', () => {
    const { app, platform, context, gateway, products } = build();
    const other = new ApiGateway(app, 'partner', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('partner-tls') });
    gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
    expect(() => other.addRoute({ host: 'api.example.com', path: '/catalog', service: service(context, 'reviews') })).toThrow(
      "partner: 'addRoute(path)' ('api.example.com/catalog') must be routed once, but it already goes to catalog/products (port 'http') through gateway 'public'; remove one of the two routes, or give one another path");
    const ingress = new IngressGateway(app, 'legacy', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('legacy-tls') });
    expect(() => ingress.addRoute({ host: 'api.example.com', path: '/catalog', service: products })).toThrow("through gateway 'public'");
  });

  test('fails when a gRPC route repeats a method, or overlaps an HTTP path on the host', () => {
    const { app, platform, context } = setup();
    const api = service(context, 'api', [Port.http(8080), Port.grpc(9090)]);
    const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
    gateway.addGrpcRoute({ host: 'api.example.com', service: api, grpcService: 'acme.Orders' });
    expect(() => gateway.addRoute({ host: 'api.example.com', path: '/acme.Orders', service: api })).toThrow(
      "public: 'addRoute(path)' ('api.example.com/acme.Orders') must be routed once, but it already goes to catalog/api (port 'grpc')");
    expect(() => gateway.addGrpcRoute({ host: 'api.example.com', service: api, grpcService: 'acme.Orders' })).toThrow(
      "public: 'addGrpcRoute(grpcService)' ('api.example.com/acme.Orders') must be routed once");
  });

  test('fails when a route is on a host the gateway does not serve', () => {
    const { gateway, products } = build({ hosts: ['api.example.com', '*.shop.example.com'] });
    expect(() => gateway.addRoute({ host: 'www.example.com', service: products })).toThrow(
      "public: 'addRoute(host)' ('www.example.com') must be covered by the gateway's hosts ('api.example.com', '*.shop.example.com'), each a listener that the certificate covers; add 'www.example.com' to the gateway's hosts (and to its certificate), or route one of the hosts");
    expect(() => gateway.addRoute({ host: '*.example.com', service: products })).toThrow("'addRoute(host)' ('*.example.com') must be covered");
  });

  test('fails when a wildcard host cannot cover a route host more than one label below it', () => {
    const { gateway, products } = build({ hosts: ['*.shop.example.com'] });
    expect(() => gateway.addRoute({ host: 'a.b.shop.example.com', service: products })).toThrow(
      "public: 'addRoute(host)' ('a.b.shop.example.com') must be covered by one of the gateway's hosts, but '*.shop.example.com' covers one label only: its certificate is not valid for 'a.b.shop.example.com', although a Gateway API listener would match it; add 'a.b.shop.example.com' (or '*.b.shop.example.com') to the gateway's hosts");
  });

  test('fails when a gRPC route names an HTTP port, and an HTTP route a gRPC port', () => {
    const { app, platform, context } = setup();
    const api = service(context, 'api', [Port.http(8080), Port.grpc(9090)]);
    const web = service(context, 'web');
    const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
    expect(() => gateway.addGrpcRoute({ host: 'api.example.com', service: api, port: 'http' })).toThrow(
      "public: 'addGrpcRoute(port)' ('http') must be a gRPC port, but catalog/api serves http on it; route a gRPC port ('grpc'); a gRPC route needs a gRPC port (addRoute routes HTTP)");
    expect(() => gateway.addGrpcRoute({ host: 'api.example.com', service: web })).toThrow(
      "public: 'addGrpcRoute(port)' ('(first gRPC port)') must name a gRPC port that catalog/web exposes, but it has none (ports: 'http' (http)); add a Port.grpc(...) to catalog/web; a gRPC route needs a gRPC port (addRoute routes HTTP)");
    expect(() => gateway.addRoute({ host: 'api.example.com', service: api, port: 'grpc' })).toThrow(
      "public: 'addRoute(port)' ('grpc') must be an HTTP port, but catalog/api serves grpc on it; route an HTTP port ('http'); an HTTP route needs an HTTP port (addGrpcRoute routes gRPC)");
  });

  test('fails when a timeout cannot be expressed in Gateway API or by Envoy Gateway', () => {
    expect(() => build({ requestTimeout: Duration.millis(0.5) })).toThrow(
      "public: 'requestTimeout' ('0.5ms') cannot be expressed in Gateway API, which takes whole milliseconds from 1 ms to 99999 hours; use a whole number of milliseconds, for example Duration.seconds(30)");
    const { gateway, products } = build();
    expect(() => gateway.addRoute({ host: 'api.example.com', service: products, timeout: Duration.hours(100000) })).toThrow(
      "public: 'addRoute(timeout)' ('360000000000ms') cannot be expressed in Gateway API");
    expect(() => build({ connectTimeout: Duration.millis(1.5) })).toThrow(
      "public: 'connectTimeout' ('1.5ms') cannot be expressed by Envoy Gateway, which takes whole milliseconds from 1 ms to 99999 hours; use a whole number of milliseconds, for example Duration.seconds(5)");
    expect(() => build({ clientTimeouts: { idle: Duration.millis(0) } })).toThrow("public: 'clientTimeouts.idle' ('0ms') cannot be expressed by Envoy Gateway");
  });

  test('fails when proxyReplicas is not a whole number from 1 to 1000, or proxyMaxReplicas is below it', () => {
    expect(() => build({ proxyReplicas: 0 })).toThrow(
      "public: 'proxyReplicas' (0) must be a whole number between 1 and 1000; run at least 2 proxies, spread over zones, so that the front door survives a node or zone outage");
    expect(() => build({ proxyReplicas: 1.5 })).toThrow("public: 'proxyReplicas' (1.5) must be a whole number");
    expect(() => build({ proxyMaxReplicas: 1 })).toThrow(
      "public: 'proxyMaxReplicas' (1) must be a whole number between 2 and 1000; use at least proxyReplicas (2), the autoscaler's minimum, or leave proxyMaxReplicas unset for a fixed count");
  });

  test('fails when allowedSourceRanges is empty or holds something other than a CIDR', () => {
    expect(() => build({ allowedSourceRanges: [] })).toThrow(
      "public: 'allowedSourceRanges' ([]) must list at least one CIDR; list the client ranges allowed, or leave allowedSourceRanges unset to allow every client");
    expect(() => build({ allowedSourceRanges: ['203.0.113.7'] })).toThrow(
      "public: 'allowedSourceRanges' ('203.0.113.7') must be an IPv4 or IPv6 network in CIDR notation (address/prefix length); write '203.0.113.7/32' for the one address");
  });

  test('fails when a rate limit asks Envoy Gateway for a burst it cannot express', () => {
    expect(() => build({ rateLimit: RateLimit.perSecond(50, { burstMultiplier: 5 }) })).toThrow(
      "public: 'rateLimit.burstMultiplier' (5) cannot be expressed by Envoy Gateway: its local rate limit is a token bucket that holds one interval's requests, with no burst beyond them; remove burstMultiplier (or set it to 1), and raise the rate if clients need bursts");
    expect(() => build({ rateLimit: RateLimit.perSecond(0) })).toThrow("public: 'rateLimit.requests' (0) must be a whole number at least 1");
  });

  test.each([
    ['rateLimit', { rateLimit: RateLimit.perSecond(10) }, "'10 per second'"],
    ['maxRequestBodySize', { maxRequestBodySize: Size.mebibytes(2) }, "'2Mi'"],
    ['connectTimeout', { connectTimeout: Duration.seconds(3) }, "'3s'"],
    ['retries', { retries: Retries.onConnectionFailure(2) }, "'2 attempts'"],
    ['circuitBreaker', { circuitBreaker: CircuitBreaker.limits() }, "'1024 connections'"],
    ['clientTimeouts', { clientTimeouts: { idle: Duration.minutes(1) } }, "'idle'"],
    ['allowedSourceRanges', { allowedSourceRanges: ['10.0.0.0/8', '2001:db8::/32'] }, "'10.0.0.0/8, 2001:db8::/32'"],
    ['proxyReplicas', { proxyReplicas: 3 }, '3'],
    ['proxyMaxReplicas', { proxyMaxReplicas: 4 }, '4'],
  ])('fails when a generic implementation is given %s, which the standard cannot express', (prop, props, value) => {
    expect(() => build({ implementation: generic, ...props })).toThrow(
      `public: '${prop}' (${value}) cannot be expressed in Gateway API's standard resources, the only ones a generic implementation gets (retries are experimental, the rest is implementation-specific); remove ${prop}, or use an implementation that has it, such as GatewayImplementation.envoyGateway()`);
  });

  test('fails when Envoy Gateway settings are out of range', () => {
    expect(() => build({ maxRequestBodySize: Size.kibibytes(0) })).toThrow(
      "public: 'maxRequestBodySize' ('0') must be a whole number of bytes greater than zero; set the largest body your APIs accept, for example Size.mebibytes(8)");
    expect(() => build({ retries: Retries.onGatewayErrors(11) })).toThrow("public: 'retries.attempts' (11) must be a whole number between 1 and 10");
    expect(() => build({ circuitBreaker: CircuitBreaker.limits({ maxPendingRequests: 0 }) })).toThrow("public: 'circuitBreaker.maxPendingRequests' (0) must be a whole number between 1 and 4294967295");
  });

  test('fails when there is no TLS and no explicit plain-HTTP opt-in, or both', () => {
    expect(() => build({ tls: undefined })).toThrow(
      "public: 'tls' (undefined) must be set: the gateway serves HTTPS, and plain HTTP only when asked for; set tls: GatewayTls.certManager(issuer) or GatewayTls.fromSecret(name), or allowPlainHttp: true on a local development cluster");
    expect(() => build({ allowPlainHttp: true })).toThrow(
      "public: 'allowPlainHttp' (true) must not be set together with tls: a gateway serves either HTTPS or, for development, plain HTTP; remove allowPlainHttp, or remove tls on a development cluster");
  });

  test.each([['API.example.com'], ['api..example.com'], ['*example.com'], ['10.0.0.1'], ['api_v1.example.com']])('fails when a host is not a DNS name (%s)', (host) => {
    expect(() => build({ hosts: [host] })).toThrow(`public: 'hosts' ('${host}') must be a DNS name (RFC 1123)`);
    const { gateway, products } = build();
    expect(() => gateway.addRoute({ host, service: products })).toThrow(`public: 'addRoute(host)' ('${host}') must be a DNS name (RFC 1123)`);
  });

  test('fails at synth when a host has no route, or the gateway none at all', () => {
    const { gateway, products } = build({ hosts: ['api.example.com', 'www.example.com'] });
    gateway.addRoute({ host: 'api.example.com', service: products });
    expect(() => objects(gateway)).toThrow(
      "public: 'hosts' ('www.example.com') must have at least one route: a listener without routes serves only errors; route it with addRoute or addGrpcRoute, or remove 'www.example.com' from hosts");
    expect(() => objects(build().gateway)).toThrow("public: 'routes' ([]) must hold at least one route");
  });

  test('fails at synth when the gateway namespace is a context\'s, or a service already has the policy name', () => {
    const { app, platform, context } = setup();
    new BoundedContext(app, 'storefront', { platform, team: 'shop-team', namespace: 'public' });
    const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
    gateway.addRoute({ host: 'api.example.com', service: service(context, 'products') });
    service(context, 'products-from-public');
    expect(() => objects(gateway)).toThrow(
      "public: 'id' ('public') must not be the namespace of bounded context storefront: the Gateway needs a namespace of its own; rename the gateway, or set useImplementationNamespace");
    expect(() => objects(gateway)).toThrow(
      "public: 'addRoute(service)' ('catalog/products') must not need the NetworkPolicy name 'products-from-public', which catalog/products-from-public already uses; rename the gateway or one of the two services");
  });

  test('fails when TLS passthrough or TCP listeners clash with the HTTPS hosts, ports or each other', () => {
    const { app, platform, context } = setup();
    const db = service(context, 'db', [Port.tcp(5432, { name: 'postgres' })]);
    const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
    expect(() => gateway.addTlsPassthroughRoute({ host: 'api.example.com', service: db })).toThrow(
      "public: 'addTlsPassthroughRoute(host)' ('api.example.com') must not be one of the gateway's hosts, whose TLS the gateway terminates; pass a server name that is not in hosts, or use addRoute to route it over HTTPS");
    gateway.addTlsPassthroughRoute({ host: 'db.example.com', service: db });
    expect(() => gateway.addTlsPassthroughRoute({ host: 'db.example.com', service: db })).toThrow("public: 'addTlsPassthroughRoute(host)' ('db.example.com') must be routed once");
    expect(() => gateway.addTcpRoute({ listenerPort: 443, service: db })).toThrow(
      "public: 'addTcpRoute(listenerPort)' (443) must not be 80 or 443, which serve HTTP and TLS; use another port, such as 5432 for PostgreSQL");
    expect(() => gateway.addTcpRoute({ listenerPort: 70000, service: db })).toThrow("public: 'addTcpRoute(listenerPort)' (70000) must be a whole number between 1 and 65535");
    gateway.addTcpRoute({ listenerPort: 5432, service: db });
    expect(() => gateway.addTcpRoute({ listenerPort: 5432, service: db })).toThrow(
      "public: 'addTcpRoute(listenerPort)' (5432) must need a Gateway listener of its own, but 'tcp-5432' is already taken; use another listenerPort");
    expect(() => gateway.addTcpRoute({ listenerPort: 6000, service: service(context, 'web') })).toThrow(
      "public: 'addTcpRoute(port)' ('(first TCP port)') must name a TCP port that catalog/web exposes");
  });

  test('fails when two hosts need the same listener name', () => {
    expect(() => build({ hosts: ['a-b.example.com', 'a.b.example.com'] })).toThrow(
      "public: 'hosts' ('a.b.example.com') must need a Gateway listener of its own, but 'https-a-b-example-com' is already the listener of 'a-b.example.com'; use another host name");
  });

  test('fails when gRPC service or method names are malformed', () => {
    const { app, platform, context } = setup();
    const api = service(context, 'api', [Port.grpc(9090)]);
    const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
    expect(() => gateway.addGrpcRoute({ host: 'api.example.com', service: api, grpcService: 'acme/orders' })).toThrow(
      "public: 'addGrpcRoute(grpcService)' ('acme/orders') must be a fully qualified protobuf service name: identifiers separated by '.'; use the package and service of the .proto file, for example 'acme.orders.v1.Orders'");
    expect(() => gateway.addGrpcRoute({ host: 'api.example.com', service: api, method: 'Get' })).toThrow(
      "public: 'addGrpcRoute(method)' ('Get') must come with grpcService: a method name alone is ambiguous; set grpcService as well, for example 'acme.orders.v1.Orders'");
    expect(() => gateway.addGrpcRoute({ host: 'api.example.com', service: api, grpcService: 'acme.Orders', method: 'Get.X' })).toThrow(
      "public: 'addGrpcRoute(method)' ('Get.X') must be a protobuf method name: one identifier; use the method name of the .proto file, for example 'GetOrder'");
    expect(() => gateway.addGrpcRoute({ host: 'api.example.com', service: api, headers: [HeaderMatch.exact('x y', '1')] })).toThrow(
      "public: 'addGrpcRoute(headers)' ('x y') must be an HTTP header name");
  });

  test('fails when header matches, header changes or rewrites are malformed', () => {
    const { gateway, products } = build();
    const route = { host: 'api.example.com', service: products };
    expect(() => gateway.addRoute({ ...route, headers: [HeaderMatch.exact('X-A', '')] })).toThrow(
      "public: 'addRoute(headers)' ('') must be a header value of 1 to 4096 characters without line breaks; match a non-empty value");
    expect(() => gateway.addRoute({ ...route, requestHeaders: { set: { 'Bad Header': 'x' } } })).toThrow("public: 'addRoute(requestHeaders)' ('Bad Header') must be an HTTP header name");
    expect(() => gateway.addRoute({ ...route, responseHeaders: { remove: ['a,b'] } })).toThrow("public: 'addRoute(responseHeaders)' ('a,b') must be an HTTP header name");
    expect(() => gateway.addRoute({ ...route, path: '/x', pathType: PathType.EXACT, rewritePath: PathRewrite.replacePrefix('/y') })).toThrow(
      "public: 'addRoute(rewritePath)' ('/y') must not replace a prefix on a PathType.EXACT route: there is no prefix to replace; use PathRewrite.replaceFull(path), or a PathType.PREFIX route");
    expect(() => gateway.addRoute({ ...route, rewritePath: PathRewrite.replaceFull('y') })).toThrow("public: 'addRoute(rewritePath)' ('y') must be an absolute path");
  });

  test('fails when the implementation options are invalid', () => {
    expect(() => build({ implementation: GatewayImplementation.envoyGateway({ namespace: 'Envoy' }) })).toThrow("public: 'implementation.namespace' ('Envoy') must be a DNS-1123 label");
    expect(() => build({ implementation: GatewayImplementation.generic('Cilium', { namespace: 'kube-system', podLabels: { a: 'b' } }) })).toThrow(
      "public: 'implementation.className' ('Cilium') must be a DNS-1123 label");
    expect(() => build({ implementation: GatewayImplementation.generic('cilium', { namespace: 'kube-system', podLabels: {} }) })).toThrow(
      "public: 'implementation.podLabels' ({}) must select the data-plane pods with at least one label; pass the labels of the implementation's proxy pods, as `kubectl get pods --show-labels` prints them");
    expect(() => build({ implementation: GatewayImplementation.generic('cilium', { namespace: 'kube-system', podLabels: { 'bad key': 'x' } }) })).toThrow(
      "public: 'implementation.podLabels' ('bad key') must be a label key");
    expect(() => build({ implementation: GatewayImplementation.generic('cilium', { namespace: 'kube-system', podLabels: { app: 'not valid' } }) })).toThrow(
      "public: 'implementation.podLabels[app]' ('not valid') must be a valid label value");
  });

  test('fails when the gateway id, TLS names or CORS options are invalid', () => {
    const { app, platform } = setup();
    expect(() => new ApiGateway(app, 'Public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') })).toThrow("Public: 'id' ('Public') must be a DNS-1123 label");
    expect(() => build({ tls: GatewayTls.fromSecret('API_TLS') })).toThrow("public: 'tls.secretName' ('API_TLS') must be an object name (a DNS-1123 subdomain)");
    expect(() => build({ cors: { allowOrigins: ['*'], allowCredentials: true } })).toThrow("public: 'cors.allowOrigins' ('*') must not be '*' when cors.allowCredentials is true");
  });
});
