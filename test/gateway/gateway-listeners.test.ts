import { ApiGateway, BoundedContext, GatewayTls, Microservice, Port } from '../../lib';
import { find, objects, setup } from '../_helpers';
import { service as gatewayService } from './_gateway';

/** A microservice with an HTTP and a gRPC port. */
function service(context: BoundedContext, id: string): Microservice {
  return gatewayService(context, id, [Port.http(8080), Port.grpc(9090)]);
}

describe('a gateway without hosts (one listener without a host name)', () => {
  test('plain HTTP: one listener without hostname, routes without hostnames, URLs on every host', () => {
    const { app, platform, context } = setup();
    const gateway = new ApiGateway(app, 'dev', { platform, allowPlainHttp: true });
    const api = service(context, 'api');
    expect(gateway.addRoute({ path: '/orders', service: api }).url).toBe('http://*/orders');
    gateway.addGrpcRoute({ service: api, grpcService: 'acme.Orders' });
    const manifests = objects(gateway);
    expect(gateway.hosts).toEqual([]);
    expect(find(manifests, 'Gateway', 'dev').spec.listeners).toEqual([{
      name: 'http', protocol: 'HTTP', port: 80,
      allowedRoutes: {
        namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['catalog'] }] } },
        kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }, { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' }],
      },
    }]);
    const route = find(manifests, 'HTTPRoute', 'dev-api-http');
    expect(route.spec.hostnames).toBeUndefined();
    expect(route.spec.parentRefs[0].sectionName).toBe('http');
    expect(find(manifests, 'GRPCRoute', 'dev-api-http').spec.hostnames).toBeUndefined();
  });

  test('a route may still name a host, which the listener without hostname serves', () => {
    const { app, platform, context } = setup();
    const gateway = new ApiGateway(app, 'dev', { platform, allowPlainHttp: true });
    gateway.addRoute({ host: 'shop.local', service: service(context, 'api') });
    expect(find(objects(gateway), 'HTTPRoute', 'dev-api-http').spec.hostnames).toEqual(['shop.local']);
  });

  test('HTTPS with a certificate of your own: an HTTPS listener without hostname, and the redirect for every host', () => {
    const { app, platform, context } = setup();
    const gateway = new ApiGateway(app, 'dev', { platform, tls: GatewayTls.fromSecret('dev-ip-cert') });
    gateway.addRoute({ service: service(context, 'api') });
    const manifests = objects(gateway);
    expect(find(manifests, 'Gateway', 'dev').spec.listeners.map((l: any) => [l.name, l.protocol, l.port, l.hostname, l.tls])).toEqual([
      ['https', 'HTTPS', 443, undefined, { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'dev-ip-cert' }] }],
      ['http', 'HTTP', 80, undefined, undefined],
    ]);
    expect(find(manifests, 'HTTPRoute', 'dev-https-redirect').spec.hostnames).toBeUndefined();
  });

  test('fails when cert-manager is to issue the certificate of a gateway without hosts', () => {
    const { app, platform } = setup();
    expect(() => new ApiGateway(app, 'dev', { platform, tls: GatewayTls.certManager('letsencrypt-prod') })).toThrow(
      "dev: 'tls' ('GatewayTls.certManager('letsencrypt-prod')') must not ask cert-manager for the certificate of a gateway without hosts: cert-manager issues certificates only for listeners with a host name, and a client reaching the gateway by IP address needs one for that address; set hosts, or use GatewayTls.fromSecret(name) with a certificate the clients accept for the address they use, or allowPlainHttp: true on a local development cluster");
  });

  test('fails when hosts is an empty list, or a route leaves out its host on a gateway with hosts', () => {
    const { app, platform, context } = setup();
    expect(() => new ApiGateway(app, 'empty', { platform, hosts: [], allowPlainHttp: true })).toThrow(
      "empty: 'hosts' ([]) must list at least one host name");
    const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
    expect(() => gateway.addRoute({ service: service(context, 'api') })).toThrow(
      "public: 'addRoute(host)' (undefined) must be set: the gateway serves the hosts 'api.example.com', one listener each; pass one of them, for example host: 'api.example.com'");
  });
});
