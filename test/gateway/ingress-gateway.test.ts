import { Duration, Size, Testing } from 'cdk8s';
import {
  IngressGateway, IngressGatewayProps, BoundedContext, GatewayTls, Image, IngressController, Microservice, PathType, Platform, Port, RateLimit,
} from '../../lib';
import { find, Manifest, objects, setup } from '../_helpers';
import { service } from './_gateway';

/** A platform 'shop' with context 'catalog' (service 'products') and a gateway 'public' for api.example.com. */
function build(props: Partial<IngressGatewayProps> = {}) {
  const { app, platform, context } = setup();
  const products = service(context, 'products');
  const gateway = new IngressGateway(app, 'public', {
    platform,
    hosts: ['api.example.com'],
    tls: GatewayTls.fromSecret('api-tls'),
    ...props,
  });
  return { app, platform, context, products, gateway };
}

const NGINX = 'nginx.ingress.kubernetes.io';

describe('IngressGateway', () => {
  describe('defaults', () => {
    test('a route renders an Ingress <gateway>-<service> in the service namespace, for the nginx class, with TLS for its host', () => {
      const { gateway, products } = build();
      const route = gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
      const ingress = find(objects(gateway), 'Ingress', 'public-products');
      expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
      expect(ingress.metadata.namespace).toBe('catalog');
      expect(ingress.spec).toEqual({
        ingressClassName: 'nginx',
        tls: [{ hosts: ['api.example.com'], secretName: 'api-tls' }],
        rules: [{
          host: 'api.example.com',
          http: { paths: [{ path: '/catalog', pathType: 'Prefix', backend: { service: { name: 'products', port: { number: 8080 } } } }] },
        }],
      });
      expect(route).toEqual({ host: 'api.example.com', path: '/catalog', pathType: PathType.PREFIX, service: products, port: products.ports[0], url: 'https://api.example.com/catalog' });
    });

    test('the path defaults to / and the path type to Prefix', () => {
      const { gateway, products } = build();
      const route = gateway.addRoute({ host: 'api.example.com', service: products });
      expect(route.path).toBe('/');
      expect(route.pathType).toBe(PathType.PREFIX);
      expect(find(objects(gateway), 'Ingress', 'public-products').spec.rules[0].http.paths[0]).toMatchObject({ path: '/', pathType: 'Prefix' });
    });

    test('the port defaults to the service\'s first HTTP port, and the backend names the Service port', () => {
      const { app, platform, context } = setup();
      const api = service(context, 'api', [Port.grpc(9090), Port.http(8080, { name: 'http-api', servicePort: 80 }), Port.http(8081, { name: 'http-admin' })]);
      const gateway = new IngressGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
      const route = gateway.addRoute({ host: 'api.example.com', service: api });
      expect(route.port.name).toBe('http-api');
      const ingress = find(objects(gateway), 'Ingress', 'public-api');
      expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'api', port: { number: 80 } } });
    });

    test('the resolved defaults: nginx controller, no rate limit, 1Mi bodies, timeouts 5s/60s/60s, secret <gateway>-tls for cert-manager', () => {
      const { gateway } = build({ tls: GatewayTls.certManager('letsencrypt-prod') });
      expect(gateway.gatewayName).toBe('public');
      expect(gateway.controller.name).toBe('ingress-nginx');
      expect(gateway.ingressClassName).toBe('nginx');
      expect(gateway.rateLimit).toBeUndefined();
      expect(gateway.maxRequestBodySize.toMebibytes()).toBe(1);
      expect(gateway.connectTimeout.toSeconds()).toBe(5);
      expect(gateway.readTimeout.toSeconds()).toBe(60);
      expect(gateway.sendTimeout.toSeconds()).toBe(60);
      expect(gateway.tlsSecretName).toBe('public-tls');
      expect(gateway.tls.clusterIssuer).toBe(true);
      expect(gateway.hosts).toEqual(['api.example.com']);
    });

    test('the default annotations redirect HTTP to HTTPS and state body size and timeouts; no rate limit, CORS or source ranges', () => {
      const { gateway, products } = build();
      gateway.addRoute({ host: 'api.example.com', service: products });
      expect(find(objects(gateway), 'Ingress', 'public-products').metadata.annotations).toEqual({
        [`${NGINX}/force-ssl-redirect`]: 'true',
        [`${NGINX}/proxy-body-size`]: '1m',
        [`${NGINX}/proxy-connect-timeout`]: '5',
        [`${NGINX}/proxy-read-timeout`]: '60',
        [`${NGINX}/proxy-send-timeout`]: '60',
      });
    });

    test('Ingress and NetworkPolicy carry the recommended labels', () => {
      const { gateway, products } = build();
      gateway.addRoute({ host: 'api.example.com', service: products });
      const out = objects(gateway);
      for (const [kind, name] of [['Ingress', 'public-products'], ['NetworkPolicy', 'products-from-public']]) {
        expect(find(out, kind, name).metadata.labels).toEqual({
          'app.kubernetes.io/name': 'public',
          'app.kubernetes.io/instance': 'public-catalog-products',
          'app.kubernetes.io/component': 'gateway',
          'app.kubernetes.io/part-of': 'shop',
          'app.kubernetes.io/managed-by': 'cdk8s',
          'cdk8s-microservices.io/context': 'catalog',
        });
      }
    });

    test('the routes and hosts getters return copies', () => {
      const { gateway, products } = build();
      gateway.addRoute({ host: 'api.example.com', service: products });
      gateway.routes.pop();
      gateway.hosts.pop();
      expect(gateway.routes).toHaveLength(1);
      expect(gateway.hosts).toHaveLength(1);
    });
  });

  describe('routes', () => {
    test('routes to one service share one Ingress, grouped by host, with one TLS entry for all its hosts', () => {
      const { gateway, products } = build({ hosts: ['api.example.com', '*.shop.example.com'] });
      gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
      gateway.addRoute({ host: 'de.shop.example.com', path: '/products', service: products });
      gateway.addRoute({ host: 'api.example.com', path: '/catalog/search', pathType: PathType.EXACT, service: products });
      const out = objects(gateway);
      expect(out.filter(o => o.kind === 'Ingress')).toHaveLength(1);
      const spec = find(out, 'Ingress', 'public-products').spec;
      expect(spec.tls).toEqual([{ hosts: ['api.example.com', 'de.shop.example.com'], secretName: 'api-tls' }]);
      expect(spec.rules.map((r: Manifest) => [r.host, r.http.paths.map((p: Manifest) => `${p.pathType} ${p.path}`)])).toEqual([
        ['api.example.com', ['Prefix /catalog', 'Exact /catalog/search']],
        ['de.shop.example.com', ['Prefix /products']],
      ]);
    });

    test('services in several contexts get an Ingress and a policy each, in their own namespaces, grouped by namespace', () => {
      const { app, platform, context, products, gateway } = build();
      const orders = new BoundedContext(app, 'orders', { platform, team: 'orders-team' });
      const checkout = service(orders, 'checkout');
      const reviews = service(context, 'reviews');
      gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
      gateway.addRoute({ host: 'api.example.com', path: '/checkout', service: checkout });
      gateway.addRoute({ host: 'api.example.com', path: '/reviews', service: reviews });
      expect(objects(gateway).map(o => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
        'Ingress catalog/public-products', 'NetworkPolicy catalog/products-from-public',
        'Ingress catalog/public-reviews', 'NetworkPolicy catalog/reviews-from-public',
        'Ingress orders/public-checkout', 'NetworkPolicy orders/checkout-from-public',
      ]);
    });

    test('a wildcard host covers its direct subdomains', () => {
      const { gateway, products } = build({ hosts: ['*.example.com'] });
      expect(gateway.addRoute({ host: 'api.example.com', service: products }).url).toBe('https://api.example.com/');
      expect(gateway.addRoute({ host: '*.example.com', path: '/all', service: products }).host).toBe('*.example.com');
    });

    test('Prefix and Exact routes of different paths on one host both render', () => {
      const { gateway, products } = build();
      gateway.addRoute({ host: 'api.example.com', path: '/a', service: products });
      gateway.addRoute({ host: 'api.example.com', path: '/a/b', pathType: PathType.EXACT, service: products });
      expect(gateway.routes.map(r => `${r.pathType.value} ${r.path}`)).toEqual(['Prefix /a', 'Exact /a/b']);
    });
  });

  describe('traffic', () => {
    test('a routed service lets in only the ingress controller pods, only on the routed container ports', () => {
      const { app, platform, context } = setup();
      const api = service(context, 'api', [Port.http(8080, { servicePort: 80 }), Port.http(8081, { name: 'http-admin' }), Port.grpc(9090)]);
      const gateway = new IngressGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
      gateway.addRoute({ host: 'api.example.com', path: '/v1', service: api });
      gateway.addRoute({ host: 'api.example.com', path: '/v2', service: api });
      expect(find(objects(gateway), 'NetworkPolicy', 'api-from-public').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' } },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [{
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } },
          }],
          ports: [{ protocol: 'TCP', port: 8080 }],
        }],
      });
    });

    test('routes to several ports of one service open each port once, sorted', () => {
      const { app, platform, context } = setup();
      const api = service(context, 'api', [Port.http(8081, { name: 'http-b' }), Port.http(8080, { name: 'http-a' })]);
      const gateway = new IngressGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
      gateway.addRoute({ host: 'api.example.com', path: '/b', service: api, port: 'http-b' });
      gateway.addRoute({ host: 'api.example.com', path: '/a', service: api, port: 'http-a' });
      gateway.addRoute({ host: 'api.example.com', path: '/b2', service: api, port: 'http-b' });
      expect(find(objects(gateway), 'NetworkPolicy', 'api-from-public').spec.ingress[0].ports).toEqual([
        { protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 8081 },
      ]);
    });

    test('the controller namespace and pod labels are configurable', () => {
      const { gateway, products } = build({
        controller: IngressController.nginx({ namespace: 'edge', podLabels: { app: 'edge-proxy' }, className: 'nginx-public' }),
      });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const out = objects(gateway);
      expect(find(out, 'Ingress', 'public-products').spec.ingressClassName).toBe('nginx-public');
      expect(find(out, 'NetworkPolicy', 'products-from-public').spec.ingress[0].from).toEqual([{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge' } },
        podSelector: { matchLabels: { app: 'edge-proxy' } },
      }]);
    });

    test('a service without a route gets no Ingress, and no policy anywhere lets the controller reach it', () => {
      const { app, context, products, gateway } = build();
      const internal = service(context, 'internal');
      gateway.addRoute({ host: 'api.example.com', service: products });
      const all = app.charts.flatMap(c => Testing.synth(c));
      const fromController = all.filter(o => o.kind === 'NetworkPolicy'
        && JSON.stringify(o.spec.ingress ?? []).includes('ingress-nginx'));
      expect(fromController.map(o => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['catalog/products-from-public']);
      expect(fromController[0].spec.podSelector.matchLabels).not.toEqual(internal.selectorLabels);
      expect(all.filter(o => o.kind === 'Ingress').flatMap(o => o.spec.rules.flatMap((r: Manifest) => r.http.paths.map((p: Manifest) => p.backend.service.name))))
        .toEqual(['products']);
    });
  });

  describe('TLS', () => {
    test('cert-manager with a ClusterIssuer annotates each Ingress and names the secret <gateway>-tls', () => {
      const { gateway, products } = build({ tls: GatewayTls.certManager('letsencrypt-prod') });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const ingress = find(objects(gateway), 'Ingress', 'public-products');
      expect(ingress.metadata.annotations['cert-manager.io/cluster-issuer']).toBe('letsencrypt-prod');
      expect(ingress.metadata.annotations['cert-manager.io/issuer']).toBeUndefined();
      expect(ingress.spec.tls).toEqual([{ hosts: ['api.example.com'], secretName: 'public-tls' }]);
    });

    test('cert-manager with a namespaced Issuer and a secret name of your own', () => {
      const { gateway, products } = build({ tls: GatewayTls.certManager('ca-issuer', { clusterIssuer: false, secretName: 'api-cert' }) });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const ingress = find(objects(gateway), 'Ingress', 'public-products');
      expect(ingress.metadata.annotations['cert-manager.io/issuer']).toBe('ca-issuer');
      expect(ingress.metadata.annotations['cert-manager.io/cluster-issuer']).toBeUndefined();
      expect(ingress.spec.tls[0].secretName).toBe('api-cert');
    });

    test('an existing secret adds no cert-manager annotation', () => {
      const { gateway, products } = build();
      gateway.addRoute({ host: 'api.example.com', service: products });
      const annotations = find(objects(gateway), 'Ingress', 'public-products').metadata.annotations;
      expect(Object.keys(annotations).filter(k => k.startsWith('cert-manager.io/'))).toEqual([]);
      expect(gateway.tlsSecretName).toBe('api-tls');
    });
  });

  describe('cross-cutting options', () => {
    test('rate limit per second, with the default burst multiplier of 5', () => {
      const { gateway, products } = build({ rateLimit: RateLimit.perSecond(20) });
      gateway.addRoute({ host: 'api.example.com', service: products });
      expect(gateway.rateLimit?.burstMultiplier).toBe(5);
      expect(find(objects(gateway), 'Ingress', 'public-products').metadata.annotations).toMatchObject({
        [`${NGINX}/limit-rps`]: '20',
        [`${NGINX}/limit-burst-multiplier`]: '5',
      });
    });

    test('rate limit per minute, with a burst multiplier of your own', () => {
      const { gateway, products } = build({ rateLimit: RateLimit.perMinute(600, { burstMultiplier: 2 }) });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const annotations = find(objects(gateway), 'Ingress', 'public-products').metadata.annotations;
      expect(annotations).toMatchObject({ [`${NGINX}/limit-rpm`]: '600', [`${NGINX}/limit-burst-multiplier`]: '2' });
      expect(annotations[`${NGINX}/limit-rps`]).toBeUndefined();
    });

    test('body size and timeouts render in nginx units', () => {
      const cases: Array<[Size, string]> = [[Size.mebibytes(8), '8m'], [Size.kibibytes(512), '512k'], [Size.gibibytes(1), '1024m'], [Size.kibibytes(1.5), '1536']];
      for (const [size, rendered] of cases) {
        const { gateway, products } = build({ maxRequestBodySize: size, connectTimeout: Duration.seconds(2), readTimeout: Duration.minutes(5), sendTimeout: Duration.seconds(30) });
        gateway.addRoute({ host: 'api.example.com', service: products });
        expect(find(objects(gateway), 'Ingress', 'public-products').metadata.annotations).toMatchObject({
          [`${NGINX}/proxy-body-size`]: rendered,
          [`${NGINX}/proxy-connect-timeout`]: '2',
          [`${NGINX}/proxy-read-timeout`]: '300',
          [`${NGINX}/proxy-send-timeout`]: '30',
        });
      }
    });

    test('CORS with the documented defaults: common methods, Authorization and Content-Type, no credentials, one hour', () => {
      const { gateway, products } = build({ cors: { allowOrigins: ['https://shop.example.com', 'https://*.example.com:8443'] } });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const annotations = find(objects(gateway), 'Ingress', 'public-products').metadata.annotations;
      expect(annotations).toMatchObject({
        [`${NGINX}/enable-cors`]: 'true',
        [`${NGINX}/cors-allow-origin`]: 'https://shop.example.com, https://*.example.com:8443',
        [`${NGINX}/cors-allow-methods`]: 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
        [`${NGINX}/cors-allow-headers`]: 'Authorization, Content-Type',
        [`${NGINX}/cors-allow-credentials`]: 'false',
        [`${NGINX}/cors-max-age`]: '3600',
      });
      expect(annotations[`${NGINX}/cors-expose-headers`]).toBeUndefined();
    });

    test('CORS with every option set', () => {
      const { gateway, products } = build({
        cors: {
          allowOrigins: ['*'], allowMethods: ['GET', 'HEAD'], allowHeaders: ['X-Api-Key'], exposeHeaders: ['X-Request-Id', 'ETag'],
          maxAge: Duration.minutes(10),
        },
      });
      gateway.addRoute({ host: 'api.example.com', service: products });
      expect(find(objects(gateway), 'Ingress', 'public-products').metadata.annotations).toMatchObject({
        [`${NGINX}/cors-allow-origin`]: '*',
        [`${NGINX}/cors-allow-methods`]: 'GET, HEAD',
        [`${NGINX}/cors-allow-headers`]: 'X-Api-Key',
        [`${NGINX}/cors-expose-headers`]: 'X-Request-Id, ETag',
        [`${NGINX}/cors-max-age`]: '600',
      });
    });

    test('allowed source ranges, IPv4 and IPv6', () => {
      const { gateway, products } = build({ allowedSourceRanges: ['203.0.113.0/24', '2001:db8::/32'] });
      gateway.addRoute({ host: 'api.example.com', service: products });
      expect(find(objects(gateway), 'Ingress', 'public-products').metadata.annotations[`${NGINX}/whitelist-source-range`])
        .toBe('203.0.113.0/24,2001:db8::/32');
    });

    test('annotations are sorted by key', () => {
      const { gateway, products } = build({ rateLimit: RateLimit.perSecond(1), cors: { allowOrigins: ['*'] }, allowedSourceRanges: ['10.0.0.0/8'], tls: GatewayTls.certManager('x') });
      gateway.addRoute({ host: 'api.example.com', service: products });
      const keys = Object.keys(find(objects(gateway), 'Ingress', 'public-products').metadata.annotations);
      expect(keys).toEqual([...keys].sort());
    });
  });

  describe('errors', () => {
    test('fails when the gateway id is not a DNS label', () => {
      const { app, platform } = setup();
      expect(() => new IngressGateway(app, 'Public_API', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') })).toThrow(
        "Public_API: 'id' ('Public_API') must be a DNS-1123 label: at most 63 characters of lower-case letters, digits and '-', starting and ending with a letter or digit; rename it, for example 'public-api'");
    });

    test('fails when hosts is empty', () => {
      expect(() => build({ hosts: [] })).toThrow(
        "public: 'hosts' ([]) must list at least one host name; add the host names clients call, for example ['api.example.com']");
    });

    test('fails when a host is listed twice', () => {
      expect(() => build({ hosts: ['api.example.com', 'api.example.com'] })).toThrow(
        "public: 'hosts' ('api.example.com') must be listed once, but is listed twice; remove the duplicate");
    });

    test.each([
      ['API.example.com', " (in lower case: 'api.example.com')"],
      ['api..example.com', ''],
      ['api.*.example.com', ''],
      ['*example.com', ''],
      ['-api.example.com', ''],
      ['api_v1.example.com', ''],
      ['10.0.0.1', ''],
      [`${'a'.repeat(64)}.example.com`, ''],
    ])('fails when a host is not an RFC 1123 name (%s)', (host, hint) => {
      expect(() => build({ hosts: [host] })).toThrow(
        `public: 'hosts' ('${host}') must be a DNS name (RFC 1123): lower-case labels of letters, digits and '-' separated by '.', with '*.' allowed only as the first label, and not an IP address; use a host name such as 'api.example.com'${hint}`);
    });

    test('fails when a route host is not a valid name', () => {
      const { gateway, products } = build();
      expect(() => gateway.addRoute({ host: 'api example.com', service: products })).toThrow(
        "public: 'addRoute(host)' ('api example.com') must be a DNS name (RFC 1123)");
    });

    test('fails when the TLS hosts do not cover a route host', () => {
      const { gateway, products } = build({ hosts: ['api.example.com', '*.shop.example.com'] });
      expect(() => gateway.addRoute({ host: 'www.example.com', service: products })).toThrow(
        "public: 'addRoute(host)' ('www.example.com') must be covered by the gateway's hosts ('api.example.com', '*.shop.example.com'), which the TLS certificate covers; add 'www.example.com' to the gateway's hosts (and to its certificate), or route one of the hosts");
      expect(() => gateway.addRoute({ host: 'a.b.shop.example.com', service: products })).toThrow("'addRoute(host)' ('a.b.shop.example.com') must be covered");
      expect(() => gateway.addRoute({ host: '*.example.com', service: products })).toThrow("'addRoute(host)' ('*.example.com') must be covered");
    });

    test('fails when two routes have the same host and path', () => {
      const { context, gateway, products } = build();
      const reviews = service(context, 'reviews');
      gateway.addRoute({ host: 'api.example.com', path: '/catalog', service: products });
      expect(() => gateway.addRoute({ host: 'api.example.com', path: '/catalog/', service: reviews })).toThrow(
        "public: 'addRoute(path)' ('api.example.com/catalog/') must be routed once, but it already goes to catalog/products (port 'http'); remove one of the two routes, or give one another path");
      // an Exact match of the same path is another route (Ingress prefers it over the prefix), but only once
      gateway.addRoute({ host: 'api.example.com', path: '/catalog', pathType: PathType.EXACT, service: reviews });
      expect(() => gateway.addRoute({ host: 'api.example.com', path: '/catalog', pathType: PathType.EXACT, service: products })).toThrow(
        "public: 'addRoute(path)' ('exactly api.example.com/catalog') must be routed once, but it already goes to catalog/reviews (port 'http')");
    });

    test.each([
      ['catalog'], ['/cat alog'], ['//catalog'], ['/catalog//items'], ['/catalog/../admin'], ['/./x'], ['/catalog/(.*)'], ['/catalog*'], [''],
    ])('fails when the path is invalid (%s)', (p) => {
      const { gateway, products } = build();
      expect(() => gateway.addRoute({ host: 'api.example.com', path: p, service: products })).toThrow(
        `public: 'addRoute(path)' ('${p}') must be an absolute path: start with '/', use only letters, digits, '-', '_', '.' and '/', with no '//', '.' or '..' segments (no spaces, regular expressions or wildcards); use a path such as '/orders'; a PathType.PREFIX route already matches everything below it`);
    });

    test('fails when the service belongs to another platform', () => {
      const { gateway } = build();
      const app = Testing.app();
      const other = new Platform(app, 'other');
      const foreign = service(new BoundedContext(app, 'billing', { platform: other, team: 'b' }), 'invoices');
      expect(() => gateway.addRoute({ host: 'api.example.com', service: foreign })).toThrow(
        "public: 'addRoute(service)' ('billing/invoices') must be a service of platform 'shop', but it belongs to 'other'; route only services of the gateway's platform, or give the other platform its own gateway");
    });

    test('fails when the service is not a Microservice', () => {
      const { gateway } = build();
      expect(() => gateway.addRoute({ host: 'api.example.com', service: 'products' as unknown as Microservice })).toThrow(
        "public: 'addRoute(service)' ('products') must be a Microservice; pass the Microservice object, or look it up with Microservice.find(platform, context, name)");
    });

    test('fails when the route names a port the service does not expose', () => {
      const { gateway, products } = build();
      expect(() => gateway.addRoute({ host: 'api.example.com', service: products, port: 'admin' })).toThrow(
        "public: 'addRoute(port)' ('admin') must name a port that catalog/products exposes ('http' (http)); use one of those port names, or add the port to the service");
    });

    test('fails when the route names a port that is not HTTP', () => {
      const { app, platform, context } = setup();
      const api = service(context, 'api', [Port.http(8080), Port.grpc(9090)]);
      const gateway = new IngressGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
      expect(() => gateway.addRoute({ host: 'api.example.com', service: api, port: 'grpc' })).toThrow(
        "public: 'addRoute(port)' ('grpc') must be an HTTP port, but catalog/api serves grpc on it; route an HTTP port ('http'); the gateway routes HTTP only");
    });

    test('fails when the service has no HTTP port', () => {
      const { app, platform, context } = setup();
      const worker = new Microservice(context, 'worker', { image: Image.fromTag('ghcr.io/acme/worker', '1.0.0'), withoutProbes: 'a queue worker' });
      const cache = service(context, 'cache', [Port.tcp(6379, { name: 'redis' })]);
      const gateway = new IngressGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
      expect(() => gateway.addRoute({ host: 'api.example.com', service: worker })).toThrow(
        "public: 'addRoute(port)' ('(first HTTP port)') must name an HTTP port that catalog/worker exposes, but it has none (ports: none); add a Port.http(...) to catalog/worker; the gateway routes HTTP only");
      expect(() => gateway.addRoute({ host: 'api.example.com', service: cache })).toThrow("but it has none (ports: 'redis' (tcp))");
      expect(() => gateway.addRoute({ host: 'api.example.com', service: cache, port: 'redis' })).toThrow(
        "'addRoute(port)' ('redis') must be an HTTP port, but catalog/cache serves tcp on it; route an HTTP port (add a Port.http(...) to catalog/cache)");
    });

    test('fails at synth when the gateway has no routes', () => {
      const { gateway } = build();
      expect(() => objects(gateway)).toThrow(
        "public: 'routes' ([]) must hold at least one route; a gateway without routes renders nothing; add routes with gateway.addRoute({ host, path, service }), or remove the gateway");
    });

    test('fails at synth when the policy name of a routed service is taken by another service', () => {
      const { context, gateway, products } = build();
      service(context, 'products-from-public');
      gateway.addRoute({ host: 'api.example.com', service: products });
      expect(() => objects(gateway)).toThrow(
        "public: 'addRoute(service)' ('catalog/products') must not need the NetworkPolicy name 'products-from-public', which catalog/products-from-public already uses; rename the gateway or one of the two services");
    });

    test.each([
      [RateLimit.perSecond(0), 'rateLimit.requests', '0'],
      [RateLimit.perSecond(-5), 'rateLimit.requests', '-5'],
      [RateLimit.perMinute(1.5), 'rateLimit.requests', '1.5'],
    ])('fails when the rate limit is zero, negative or fractional (%#)', (rateLimit, prop, value) => {
      expect(() => build({ rateLimit })).toThrow(
        `public: '${prop}' (${value}) must be a whole number at least 1; allow at least 1 request per interval (use RateLimit.perMinute for fewer than one a second), or leave rateLimit unset for no limit`);
    });

    test('fails when the burst multiplier is below 1', () => {
      expect(() => build({ rateLimit: RateLimit.perSecond(10, { burstMultiplier: 0 }) })).toThrow(
        "public: 'rateLimit.burstMultiplier' (0) must be a whole number at least 1; use a whole multiple of the rate, such as 5 (1 allows no burst)");
    });

    test('fails when the body size is zero', () => {
      expect(() => build({ maxRequestBodySize: Size.kibibytes(0) })).toThrow(
        "public: 'maxRequestBodySize' ('0') must be greater than zero (zero turns the limit off in ingress-nginx); set the largest body your APIs accept, for example Size.mebibytes(8)");
    });

    test.each([
      ['connectTimeout', { connectTimeout: Duration.seconds(0) }, "('0s') must be at least 1 second; use Duration.seconds(1) or more"],
      ['readTimeout', { readTimeout: Duration.millis(1500) },
        "('1.5s') must be a whole number of seconds (ingress-nginx counts this annotation in seconds); use Duration.seconds(1) or Duration.seconds(2)"],
      ['sendTimeout', { sendTimeout: Duration.millis(500) },
        "('0.5s') must be a whole number of seconds (ingress-nginx counts this annotation in seconds); use Duration.seconds(1)"],
    ])('fails when %s is not a whole number of seconds of at least 1', (prop, props, message) => {
      expect(() => build(props as Partial<IngressGatewayProps>)).toThrow(`public: '${prop}' ${message}`);
    });

    test('fails when the nginx connect timeout is above 75 seconds', () => {
      expect(() => build({ connectTimeout: Duration.seconds(90) })).toThrow(
        "public: 'connectTimeout' ('90s') must be at most 75 seconds: nginx cannot wait longer for a connection; use a connect timeout of 75 seconds or less (the default is 5); long requests need readTimeout, not connectTimeout");
    });

    test('fails when the CORS origins are empty, malformed, or a wildcard with credentials', () => {
      expect(() => build({ cors: { allowOrigins: [] } })).toThrow(
        "public: 'cors.allowOrigins' ([]) must list at least one origin; list the web origins that call the APIs, for example ['https://shop.example.com'], or leave cors unset");
      expect(() => build({ cors: { allowOrigins: ['shop.example.com'] } })).toThrow(
        "public: 'cors.allowOrigins' ('shop.example.com') must be an origin: a scheme, '://', a lower-case host ('*.' allowed as the first label) and an optional port, without a path; write it like 'https://shop.example.com' or 'https://*.example.com'");
      expect(() => build({ cors: { allowOrigins: ['https://shop.example.com/app'] } })).toThrow("('https://shop.example.com/app') must be an origin");
      expect(() => build({ cors: { allowOrigins: ['*'], allowCredentials: true } })).toThrow(
        "public: 'cors.allowOrigins' ('*') must not be '*' when cors.allowCredentials is true: browsers reject credentials for any origin; list the origins that may send credentials, or set allowCredentials to false");
      expect(() => build({ cors: { allowOrigins: ['*', 'https://a.example.com'] } })).toThrow(
        "public: 'cors.allowOrigins' ([\"*\",\"https://a.example.com\"]) must not combine '*' with other origins; use ['*'] alone, or list the origins");
    });

    test('fails when a CORS method or header is malformed, or a list is empty', () => {
      const cors = { allowOrigins: ['https://shop.example.com'] };
      expect(() => build({ cors: { ...cors, allowMethods: ['get'] } })).toThrow(
        "public: 'cors.allowMethods' ('get') must be an HTTP method in upper case (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, CONNECT, TRACE); use for example 'GET'");
      expect(() => build({ cors: { ...cors, allowHeaders: ['X-A, X-B'] } })).toThrow(
        "public: 'cors.allowHeaders' ('X-A, X-B') must be an HTTP header name: letters, digits and !#$%&'*+.^_`|~- with no spaces or commas; list each header separately, for example 'X-Request-Id'");
      expect(() => build({ cors: { ...cors, exposeHeaders: ['X Y'] } })).toThrow("public: 'cors.exposeHeaders' ('X Y') must be an HTTP header name");
      expect(() => build({ cors: { ...cors, allowMethods: [] } })).toThrow(
        "public: 'cors.allowMethods' ([]) must not be empty; leave cors.allowMethods unset for the defaults, or list what browsers may send");
      expect(() => build({ cors: { ...cors, allowHeaders: [] } })).toThrow("public: 'cors.allowHeaders' ([]) must not be empty");
    });

    test('fails when the CORS max age is not whole seconds', () => {
      expect(() => build({ cors: { allowOrigins: ['*'], maxAge: Duration.millis(2500) } })).toThrow(
        "public: 'cors.maxAge' ('2.5s') must be a whole number of seconds (browsers read Access-Control-Max-Age in seconds); use Duration.seconds(2) or Duration.seconds(3)");
    });

    test('fails when the source ranges are empty or not CIDRs', () => {
      expect(() => build({ allowedSourceRanges: [] })).toThrow(
        "public: 'allowedSourceRanges' ([]) must list at least one CIDR; list the client ranges allowed, or leave allowedSourceRanges unset to allow every client");
      expect(() => build({ allowedSourceRanges: ['203.0.113.7'] })).toThrow(
        "public: 'allowedSourceRanges' ('203.0.113.7') must be an IPv4 or IPv6 network in CIDR notation (address/prefix length); write '203.0.113.7/32' for the one address");
      expect(() => build({ allowedSourceRanges: ['2001:db8::1'] })).toThrow("write '2001:db8::1/128' for the one address");
      expect(() => build({ allowedSourceRanges: ['10.0.0.0/33'] })).toThrow("('10.0.0.0/33') must be an IPv4 or IPv6 network in CIDR notation");
      expect(() => build({ allowedSourceRanges: ['2001:db8::/129'] })).toThrow("('2001:db8::/129') must be an IPv4 or IPv6 network");
      expect(() => build({ allowedSourceRanges: ['corp-network/8'] })).toThrow("for example '10.20.0.0/16'");
      expect(() => build({ allowedSourceRanges: ['10.0.0.0/x'] })).toThrow("('10.0.0.0/x') must be an IPv4 or IPv6 network");
      expect(() => build({ allowedSourceRanges: ['203.0.113.7/24'] })).toThrow("must not have host bits set: the prefix /24 makes it the whole network 203.0.113.0/24");
    });

    test('fails when the TLS secret or issuer name is not a DNS subdomain', () => {
      expect(() => build({ tls: GatewayTls.fromSecret('API_TLS') })).toThrow(
        "public: 'tls.secretName' ('API_TLS') must be an object name (a DNS-1123 subdomain): 1 to 253 characters of lower-case letters, digits, '-' and '.', starting and ending with a letter or digit; use a Secret name such as 'api-example-com-tls'");
      expect(() => build({ tls: GatewayTls.certManager('Lets Encrypt') })).toThrow(
        "public: 'tls.issuerName' ('Lets Encrypt') must be an object name (a DNS-1123 subdomain): 1 to 253 characters of lower-case letters, digits, '-' and '.', starting and ending with a letter or digit; use the name of your cert-manager ClusterIssuer or Issuer, for example 'letsencrypt-prod'");
    });
  });
});
