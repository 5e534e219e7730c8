import {
  ApiGateway, ErrorCode, GatewayImplementation, GatewayTls, IngressGateway, KubernetesVersion, PathType, Port,
} from '../../lib';
import { find, objects, setup } from '../_helpers';
import { service } from './_gateway';

function build(allowedSourceRanges?: string[]) {
  const { app, platform, context } = setup({}, { kubernetesVersion: KubernetesVersion.V1_31 });
  const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls'), ...(allowedSourceRanges ? { allowedSourceRanges } : {}) });
  return { app, platform, context, gateway };
}

describe('route matches', () => {
  test('an Exact and a PathPrefix match of one path are two routes (the exact one wins in Gateway API)', () => {
    const { context, gateway } = build();
    const products = service(context, 'products');
    gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
    gateway.addRoute({ host: 'api.example.com', path: '/catalog', pathType: PathType.EXACT, service: products });
    gateway.addRoute({ host: 'api.example.com', path: '/catalog/', pathType: PathType.EXACT, service: products });
    const rules = find(objects(gateway), 'HTTPRoute', 'public-products-https-api-example-com').spec.rules;
    expect(rules.map((r: any) => r.matches[0].path)).toEqual([
      { type: 'PathPrefix', value: '/catalog' }, { type: 'Exact', value: '/catalog' }, { type: 'Exact', value: '/catalog/' },
    ]);
  });

  test('fails when an Exact match is routed twice', () => {
    const { context, gateway } = build();
    gateway.addRoute({ host: 'api.example.com', path: '/catalog', pathType: PathType.EXACT, service: service(context, 'products') });
    expect(() => gateway.addRoute({ host: 'api.example.com', path: '/catalog', pathType: PathType.EXACT, service: service(context, 'reviews') })).toThrow(
      "public: 'addRoute(path)' ('exactly api.example.com/catalog') must be routed once, but it already goes to catalog/products (port 'http'); remove one of the two routes, or give one another path");
    expect(() => gateway.addRoute({ host: 'api.example.com', path: '/catalog', pathType: PathType.EXACT, service: service(context, 'ratings') })).toThrow(
      expect.objectContaining({ code: ErrorCode.DUPLICATE, path: 'public', prop: 'addRoute(path)' }));
  });
});

describe('operations ports', () => {
  test('fails when a route goes to a port named for metrics, admin, debug or health', () => {
    const { context, gateway } = build();
    const api = service(context, 'api', [Port.http(8080), Port.http(9090, { name: 'metrics' }), Port.http(8081, { name: 'http-admin' }), Port.tcp(6060, { name: 'debug' })]);
    expect(() => gateway.addRoute({ host: 'api.example.com', service: api, port: 'metrics' })).toThrow(
      "public: 'addRoute(port)' ('metrics') must not be a port for operations ('metrics') of catalog/api: metrics, admin, debug and health endpoints tell an attacker about the service or let them change it, and belong inside the cluster; route port 'http' instead, or set operationsPortReason on the route if this port is meant for clients outside the cluster");
    expect(() => gateway.addRoute({ host: 'api.example.com', service: api, port: 'http-admin' })).toThrow("('http-admin') must not be a port for operations ('admin')");
    expect(() => gateway.addRoute({ host: 'api.example.com', service: api, port: 'http-admin' })).toThrow(
      expect.objectContaining({ code: ErrorCode.UNSAFE, path: 'public', prop: 'addRoute(port)', value: 'http-admin' }));
    expect(() => gateway.addTcpRoute({ listenerPort: 6060, service: api })).toThrow(
      "public: 'addTcpRoute(port)' ('debug') must not be a port for operations ('debug') of catalog/api: metrics, admin, debug and health endpoints tell an attacker about the service or let them change it, and belong inside the cluster; set operationsPortReason on the route if this port is meant for clients outside the cluster");
    expect(() => gateway.addRoute({ host: 'api.example.com', service: api, port: 'metrics', operationsPortReason: ' ' })).toThrow(
      "public: 'operationsPortReason' (' ') must be a non-empty reason; say why port 'metrics' of catalog/api is public, or remove operationsPortReason");
    expect(() => gateway.addRoute({ host: 'api.example.com', service: api, port: 'metrics', operationsPortReason: ' ' })).toThrow(
      expect.objectContaining({ code: ErrorCode.MISSING_REQUIRED, prop: 'operationsPortReason' }));
  });

  test('a route to an operations port renders with a reason, and a port whose name only contains such a word is not one', () => {
    const { context, gateway } = build();
    const api = service(context, 'api', [Port.http(8080, { name: 'healthcare' }), Port.http(9090, { name: 'metrics' })]);
    gateway.addRoute({ host: 'api.example.com', path: '/', service: api });
    gateway.addRoute({ host: 'api.example.com', path: '/federate', service: api, port: 'metrics', operationsPortReason: 'the partner Prometheus federates over the internet' });
    const rules = find(objects(gateway), 'HTTPRoute', 'public-api-https-api-example-com').spec.rules;
    expect(rules.map((r: any) => r.backendRefs[0].port)).toEqual([8080, 9090]);
  });

  test('fails when an Ingress route goes to an operations port', () => {
    const { app, platform, context } = setup();
    const api = service(context, 'api', [Port.http(8080), Port.http(9090, { name: 'metrics' })]);
    const ingress = new IngressGateway(app, 'legacy', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('legacy-tls') });
    expect(() => ingress.addRoute({ host: 'api.example.com', service: api, port: 'metrics' })).toThrow(
      "legacy: 'addRoute(port)' ('metrics') must not be a port for operations ('metrics') of catalog/api");
  });
});

describe('allowed source ranges and TLS passthrough', () => {
  test('fails when a TLS passthrough route is added to a gateway with allowedSourceRanges (Envoy Gateway\'s SecurityPolicy cannot target a TLSRoute)', () => {
    const { context, gateway } = build(['203.0.113.0/24']);
    const db = service(context, 'db', [Port.tcp(5432)]);
    expect(() => gateway.addTlsPassthroughRoute({ host: 'db.example.com', service: db })).toThrow(
      "public: 'addTlsPassthroughRoute(host)' ('db.example.com') must not be added to a gateway with allowedSourceRanges: Envoy Gateway's SecurityPolicy, which carries the allow-list, cannot target a TLSRoute and does not apply to TLS passthrough listeners, so every client address could connect; terminate TLS at the gateway (add the host to hosts and use addRoute), restrict the clients in the service itself, or remove allowedSourceRanges");
    expect(() => gateway.addTlsPassthroughRoute({ host: 'db.example.com', service: db })).toThrow(
      expect.objectContaining({ code: ErrorCode.UNSAFE, path: 'public', prop: 'addTlsPassthroughRoute(host)' }));
  });

  test('a gateway with allowedSourceRanges and HTTPS routes renders its SecurityPolicy; without ranges, a passthrough route renders', () => {
    const limited = build(['203.0.113.0/24']);
    limited.gateway.addRoute({ host: 'api.example.com', service: service(limited.context, 'web') });
    expect(find(objects(limited.gateway), 'SecurityPolicy', 'public').spec.authorization.rules[0].principal).toEqual({ clientCIDRs: ['203.0.113.0/24'] });
    const open = build();
    open.gateway.addRoute({ host: 'api.example.com', service: service(open.context, 'web') });
    open.gateway.addTlsPassthroughRoute({ host: 'db.example.com', service: service(open.context, 'db', [Port.tcp(5432)]) });
    const manifests = objects(open.gateway);
    expect(manifests.filter(m => m.kind === 'SecurityPolicy')).toEqual([]);
    expect(find(manifests, 'TLSRoute', 'public-db-tls-db-example-com').spec.hostnames).toEqual(['db.example.com']);
  });

  test('a generic implementation still refuses allowedSourceRanges', () => {
    const { app, platform } = setup();
    expect(() => new ApiGateway(app, 'public', {
      platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls'), allowedSourceRanges: ['203.0.113.0/24'],
      implementation: GatewayImplementation.generic('cilium', { namespace: 'kube-system', podLabels: { 'k8s-app': 'cilium-envoy' } }),
    })).toThrow("'allowedSourceRanges' ('203.0.113.0/24') cannot be expressed in Gateway API's standard resources");
  });
});
