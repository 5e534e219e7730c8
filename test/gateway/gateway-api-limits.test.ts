import * as fs from 'fs';
import { ApiGatewayProps, ErrorCode, HeaderMatch, KubernetesVersion, Port } from '../../lib';
import { _GATEWAY_API_LIMITS } from '../../lib/gateway/gateway-api-limits';
import { _Feature } from '../../lib/platform/kubernetes-version';
import { find, objects } from '../_helpers';
import { buildApiGateway, service } from './_gateway';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const generator = require('../../tools/gateway-api-limits.cjs') as { render(files: string[]): string; crdFiles(): string[]; pinnedVersion(): string; OUT: string };

function build(props: Partial<ApiGatewayProps> = {}, version?: KubernetesVersion) {
  return buildApiGateway(props, version ? { kubernetesVersion: version } : {});
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('Gateway API limits', () => {
  test('the generated table is what the pinned CRDs say (maxItems, maxLength, CEL bounds), for the version tools/crds.env pins', () => {
    expect(_GATEWAY_API_LIMITS.version).toBe(generator.pinnedVersion());
    expect(fs.readFileSync(generator.OUT, 'utf8')).toBe(generator.render(generator.crdFiles()));
  });

  test('TLSRoute needs the Kubernetes release whose API server takes the CEL IP library in CRD rules', () => {
    expect(_GATEWAY_API_LIMITS.tlsRouteNeedsIpLibrary).toBe(true);
    expect(_Feature.GATEWAY_API_TLS_ROUTE.sinceMinor).toBe(31);
  });

  test(`fails when one service's HTTPRoute would hold more than ${_GATEWAY_API_LIMITS.httpRouteRules} rules; ${_GATEWAY_API_LIMITS.httpRouteRules} render`, () => {
    const { gateway, products } = build();
    range(16).forEach(i => gateway.addRoute({ host: 'api.example.com', path: `/p${i}`, service: products }));
    expect(() => gateway.addRoute({ host: 'api.example.com', path: '/p16', service: products })).toThrow(
      "public: 'addRoute(path)' ('/p16') must fit in HTTPRoute 'public-products-https-api-example-com' of catalog/products, which holds at most 16 rules (Gateway API v1.7.0, spec.rules maxItems), and this would be rule 17; route a common prefix once (a PathType.PREFIX route covers every path below it), or serve part of the API on another host");
    expect(find(objects(gateway), 'HTTPRoute', 'public-products-https-api-example-com').spec.rules).toHaveLength(16);
  });

  test(`fails when one service's GRPCRoute would hold more than ${_GATEWAY_API_LIMITS.grpcRouteRules} rules`, () => {
    const { context, gateway } = build();
    const api = service(context, 'api', [Port.grpc(9090)]);
    range(16).forEach(i => gateway.addGrpcRoute({ host: 'api.example.com', service: api, grpcService: `acme.S${i}` }));
    expect(() => gateway.addGrpcRoute({ host: 'api.example.com', service: api, grpcService: 'acme.S16' })).toThrow(
      "public: 'addGrpcRoute(grpcService)' ('acme.S16') must fit in GRPCRoute 'public-api-https-api-example-com' of catalog/api, which holds at most 16 rules");
  });

  test(`fails when a TLS gateway has more than ${_GATEWAY_API_LIMITS.httpRouteHostnames} hosts (the redirect route lists them all); ${_GATEWAY_API_LIMITS.httpRouteHostnames} render`, () => {
    const hosts = range(17).map(i => `h${i}.example.com`);
    expect(() => build({ hosts })).toThrow(
      "public: 'hosts' ('17 hosts') must be at most 16 with tls: the HTTP-to-HTTPS redirect HTTPRoute lists every host, and an HTTPRoute holds at most 16 host names (Gateway API v1.7.0, spec.hostnames maxItems); serve subdomains with one wildcard host ('*.example.com'), or split the hosts over two gateways");
    expect(() => build({ hosts })).toThrow(expect.objectContaining({ code: ErrorCode.OUT_OF_RANGE, prop: 'hosts' }));
    const { gateway, products } = build({ hosts: hosts.slice(0, 16) });
    hosts.slice(0, 16).forEach(host => gateway.addRoute({ host, service: products }));
    expect(find(objects(gateway), 'HTTPRoute', 'public-https-redirect').spec.hostnames).toEqual(hosts.slice(0, 16));
  });

  test(`fails when the Gateway would need more than ${_GATEWAY_API_LIMITS.gatewayListeners} listeners`, () => {
    const { context, gateway } = build({ hosts: range(63).map(i => `h${i}.example.com`), tls: undefined, allowPlainHttp: true });
    const db = service(context, 'db', [Port.tcp(5432)]);
    gateway.addTcpRoute({ listenerPort: 5432, service: db });
    expect(gateway.listenerNames).toHaveLength(64);
    expect(() => gateway.addTcpRoute({ listenerPort: 5433, service: db })).toThrow(expect.objectContaining({ code: ErrorCode.OUT_OF_RANGE, prop: 'addTcpRoute(listenerPort)' }));
    expect(() => gateway.addTcpRoute({ listenerPort: 5433, service: db })).toThrow(
      "public: 'addTcpRoute(listenerPort)' (5433) must not need listener 65 of the Gateway, which holds at most 64 (Gateway API v1.7.0, spec.listeners maxItems); serve several hosts with one wildcard host ('*.example.com'), or split the hosts and routes over two gateways");
  });

  test(`fails when a route matches more than ${_GATEWAY_API_LIMITS.httpRouteHeaderMatches} headers, or a filter changes more than ${_GATEWAY_API_LIMITS.headerModifierEntries}; ${_GATEWAY_API_LIMITS.httpRouteHeaderMatches} render`, () => {
    const { gateway, products } = build();
    const headers = range(17).map(i => HeaderMatch.exact(`X-H${i}`, 'on'));
    expect(() => gateway.addRoute({ host: 'api.example.com', service: products, headers })).toThrow(
      "public: 'addRoute(headers)' ([\"X-H0\",");
    expect(() => gateway.addRoute({ host: 'api.example.com', service: products, headers })).toThrow(expect.objectContaining({ code: ErrorCode.OUT_OF_RANGE, prop: 'addRoute(headers)' }));
    expect(() => gateway.addRoute({ host: 'api.example.com', service: products, headers })).toThrow(
      'must list at most 16 headers: a route match holds at most 16 (Gateway API v1.7.0, matches[].headers maxItems); match fewer headers, or route by path instead');
    const set = Object.fromEntries(range(17).map(i => [`X-S${i}`, 'v']));
    expect(() => gateway.addRoute({ host: 'api.example.com', path: '/x', service: products, requestHeaders: { set } })).toThrow(
      "'addRoute(requestHeaders).set' ([\"X-S0\"");
    gateway.addRoute({ host: 'api.example.com', service: products, headers: headers.slice(0, 16) });
    expect(find(objects(gateway), 'HTTPRoute', 'public-products-https-api-example-com').spec.rules[0].matches[0].headers).toHaveLength(16);
  });

  test(`fails when CORS lists more than ${_GATEWAY_API_LIMITS.corsAllowOrigins} origins, or a header name is longer than ${_GATEWAY_API_LIMITS.headerNameLength} characters`, () => {
    const allowOrigins = range(65).map(i => `https://s${i}.example.com`);
    expect(() => build({ cors: { allowOrigins } })).toThrow(
      "public: 'cors.allowOrigins' ('65 entries') must list at most 64: the HTTPRoute CORS filter holds at most 64 (Gateway API v1.7.0, allowOrigins maxItems); allow a wildcard origin such as 'https://*.example.com' instead of each subdomain");
    expect(build({ cors: { allowOrigins: allowOrigins.slice(0, 64) } }).gateway._cors?.allowOrigins).toHaveLength(64);
    const { gateway, products } = build();
    expect(() => gateway.addRoute({ host: 'api.example.com', service: products, headers: [HeaderMatch.exact(`X-${'a'.repeat(255)}`, '1')] })).toThrow(
      'must be a header name of at most 256 characters (Gateway API v1.7.0, header name maxLength), but has 257; use a shorter header name');
  });

  test('fails when a TLS passthrough route is added on a platform for Kubernetes below 1.31, whose API server refuses the TLSRoute CRD', () => {
    const { context, gateway } = build({}, KubernetesVersion.V1_30);
    const db = service(context, 'db', [Port.tcp(5432)]);
    expect(() => gateway.addTlsPassthroughRoute({ host: 'db.example.com', service: db })).toThrow(
      expect.objectContaining({ code: ErrorCode.UNSUPPORTED_BY_VERSION, path: 'public', prop: 'addTlsPassthroughRoute(host)' }));
    expect(() => gateway.addTlsPassthroughRoute({ host: 'db.example.com', service: db })).toThrow(
      "public: 'addTlsPassthroughRoute(host)' ('db.example.com') needs Gateway API's TLSRoute, whose CRD validates hostnames with the CEL IP library (isIP), which Kubernetes has from 1.31, but the platform targets 1.30; raise the Platform's kubernetesVersion to KubernetesVersion.V1_31 or later if every cluster runs it, or terminate TLS at the gateway (add the host to hosts and use addRoute), or forward a port of its own with addTcpRoute");
  });

  test('a TLS passthrough route on a platform for Kubernetes 1.31 renders its TLSRoute', () => {
    const { context, gateway } = build({}, KubernetesVersion.V1_31);
    const db = service(context, 'db', [Port.tcp(5432)]);
    gateway.addRoute({ host: 'api.example.com', service: service(context, 'web') });
    gateway.addTlsPassthroughRoute({ host: 'db.example.com', service: db });
    expect(find(objects(gateway), 'TLSRoute', 'public-db-tls-db-example-com').spec).toMatchObject({ hostnames: ['db.example.com'], rules: [{ backendRefs: [{ name: 'db', port: 5432 }] }] });
  });
});
