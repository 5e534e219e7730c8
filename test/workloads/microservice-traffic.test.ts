import { AddressForm, BoundedContext, ErrorCode, Image, Microservice, Platform, Port, Probe } from '../../lib';
import { find, Manifest, objects, resolvedEnv, setup } from '../_helpers';
import { deployment, props } from './_microservice';

describe('Microservice', () => {
  describe('Service', () => {
    test('is a ClusterIP Service named like the microservice, targeting ports by name', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({
        ports: [Port.http(8080, { servicePort: 80 }), Port.grpc(9090), Port.tcp(6379, { name: 'redis' })],
      }));

      expect(find(objects(context), 'Service', 'products').spec).toEqual({
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' },
        ports: [
          { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
          { name: 'grpc', port: 9090, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' },
          { name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' },
        ],
      });
    });

    test('exposes a stable host and URLs in the context\'s namespace', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props({ ports: [Port.http(8080, { servicePort: 80 }), Port.grpc(9090), Port.tcp(6379, { name: 'redis' })] }));

      expect(products.name).toEqual('products');
      expect(products.namespace).toEqual('catalog');
      expect(products.host).toEqual('products.catalog.svc.cluster.local');
      expect(products.url()).toEqual('http://products.catalog.svc.cluster.local:80');
      expect(products.url('grpc')).toEqual('dns:///products.catalog.svc.cluster.local:9090');
      expect(products.url('redis')).toEqual('tcp://products.catalog.svc.cluster.local:6379');
    });

    test('URLs follow the platform\'s cluster domain and the context\'s namespace', () => {
      const app = setup().app;
      const platform = new Platform(app, 'sales', { clusterDomain: 'k8s.acme.internal' });
      const context = new BoundedContext(app, 'catalog-ctx', { platform, team: 'catalog-team', namespace: 'catalog-prod' });

      const products = new Microservice(context, 'products', props());

      expect(products.url()).toEqual('http://products.catalog-prod.svc.k8s.acme.internal:8080');
      expect(find(objects(context), 'Deployment', 'products').spec.selector.matchLabels['app.kubernetes.io/instance']).toEqual('products');
    });

    test('fails when url() names a port the service does not expose', () => {
      const { context } = setup();
      const products = new Microservice(context, 'products', props());

      expect(() => products.url('admin'))
        .toThrow(/^catalog\/products: 'url\(port\)' \('admin'\) must name a port that catalog\/products exposes \('http'\); use one of those port names, or add the port to the callee$/);
    });
  });

  describe('traffic', () => {
    function twoContexts() {
      const { app, platform, context: catalog } = setup();
      const orders = new BoundedContext(app, 'orders', { platform, team: 'orders-team' });
      const products = new Microservice(catalog, 'products', props({ ports: [Port.http(8080, { servicePort: 80 }), Port.grpc(9090)] }));
      const checkout = new Microservice(orders, 'checkout', props({ image: Image.fromTag('ghcr.io/acme/checkout', '3.1.0') }));
      return { app, platform, catalog, orders, products, checkout };
    }

    test('connectTo renders egress on the caller and ingress on the callee, across contexts', () => {
      const { catalog, orders, products, checkout } = twoContexts();

      checkout.connectTo(products);

      expect(find(objects(orders), 'NetworkPolicy', 'checkout').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'checkout' } },
        policyTypes: ['Ingress', 'Egress'],
        egress: [{
          to: [{
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'catalog' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' } },
          }],
          ports: [{ protocol: 'TCP', port: 8080 }],
        }],
      });
      expect(find(objects(catalog), 'NetworkPolicy', 'products').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'products' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{
          from: [{
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'orders' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'checkout', 'app.kubernetes.io/instance': 'checkout' } },
          }],
          ports: [{ protocol: 'TCP', port: 8080 }],
        }],
      });
    });

    test('connectTo defaults to the callee\'s first port and hands over its URL as <CALLEE>_URL', () => {
      const { orders, products, checkout } = twoContexts();

      const connection = checkout.connectTo(products);

      expect(connection.caller).toBe(checkout);
      expect(connection.callee).toBe(products);
      expect(connection.port).toBe(products.ports[0]);
      expect(connection.address.name).toEqual('url');
      expect({ envVar: connection.envVar, envVars: connection.envVars, url: connection.url }).toEqual({
        envVar: 'PRODUCTS_URL',
        envVars: { PRODUCTS_URL: 'http://products.catalog.svc.cluster.local:80' },
        url: 'http://products.catalog.svc.cluster.local:80',
      });
      expect(checkout.calls).toEqual([connection]);
      expect(products.callers).toEqual([connection]);
      expect(checkout.env).toEqual({ PRODUCTS_URL: 'http://products.catalog.svc.cluster.local:80' });
      const out = objects(orders);
      expect(resolvedEnv(out, find(out, 'Deployment', 'checkout')))
        .toEqual([{ name: 'PRODUCTS_URL', value: 'http://products.catalog.svc.cluster.local:80' }]);
    });

    test('connectTo a port by name names the variable <CALLEE>_<PROTOCOL>_URL and gives a gRPC target', () => {
      const { catalog, products, checkout } = twoContexts();

      const connection = checkout.connectTo(products, { port: 'grpc' });

      expect(connection.envVar).toEqual('PRODUCTS_GRPC_URL');
      expect(connection.url).toEqual('dns:///products.catalog.svc.cluster.local:9090');
      expect(checkout.env).toEqual({ PRODUCTS_GRPC_URL: 'dns:///products.catalog.svc.cluster.local:9090' });
      expect(find(objects(catalog), 'NetworkPolicy', 'products').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9090 }]);
    });

    test('connectTo upper-cases dashes in names to underscores', () => {
      const { context } = setup();
      const caller = new Microservice(context, 'web', props());
      const callee = new Microservice(context, 'product-search', props({ ports: [Port.http(8080), Port.grpc(9090, { name: 'grpc-api' })] }));

      expect(caller.connectTo(callee).envVar).toEqual('PRODUCT_SEARCH_URL');
      expect(caller.connectTo(callee, { port: 'grpc-api' }).envVar).toEqual('PRODUCT_SEARCH_GRPC_URL');
    });

    describe('address variables do not follow the callee\'s ports', () => {
      /** The variables (and values) `web` gets from calls to `catalog` with these ports, by port name or (undefined) the default port. */
      const variables = (ports: Port[], calls: Array<string | undefined>) => {
        const { context } = setup();
        const web = new Microservice(context, 'web', props());
        const catalog = new Microservice(context, 'catalog-api', props({ ports, readiness: Probe.tcp({ port: ports[0].name }), liveness: Probe.http('/live', { port: ports[0].name }) }));
        for (const port of calls) {
          web.connectTo(catalog, { port });
        }
        return web.env;
      };

      test('renaming a port renames no caller\'s variable', () => {
        const before = variables([Port.http(8080), Port.grpc(9090)], [undefined, 'grpc']);
        const after = variables([Port.http(8080, { name: 'http-api' }), Port.grpc(9090, { name: 'grpc-api' })], [undefined, 'grpc-api']);

        expect(before).toEqual({
          CATALOG_API_URL: 'http://catalog-api.catalog.svc.cluster.local:8080',
          CATALOG_API_GRPC_URL: 'dns:///catalog-api.catalog.svc.cluster.local:9090',
        });
        expect(after).toEqual(before);
      });

      test('reordering the ports renames no caller\'s variable', () => {
        const before = variables([Port.http(8080), Port.grpc(9090), Port.tcp(9100, { name: 'metrics' })], ['grpc', 'metrics', 'http']);
        const after = variables([Port.tcp(9100, { name: 'metrics' }), Port.grpc(9090), Port.http(8080)], ['grpc', 'metrics', 'http']);

        expect(Object.keys(before)).toEqual(['CATALOG_API_GRPC_URL', 'CATALOG_API_HTTP_URL', 'CATALOG_API_TCP_URL']);
        expect(after).toEqual(before);
      });

      test('adding a port renames no caller\'s variable', () => {
        expect(variables([Port.http(8080), Port.grpc(9090), Port.http(9100, { name: 'metrics' })], [undefined, 'grpc']))
          .toEqual(variables([Port.http(8080), Port.grpc(9090)], [undefined, 'grpc']));
      });

      test('fails when a caller names two ports of one protocol, and says how to pin a name', () => {
        expect(() => variables([Port.http(8080), Port.http(8081, { name: 'http-admin' })], ['http', 'http-admin']))
          .toThrow(expect.objectContaining({
            code: ErrorCode.CONFLICT, path: 'catalog/web', prop: 'connectTo(envVar)',
            message: 'catalog/web: \'connectTo(envVar)\' (\'CATALOG_API_HTTP_URL\') must be a variable of this call\'s own, but the call to catalog/catalog-api port \'http\' declared before sets it '
              + '(a call that names its port gets <CALLEE>_HTTP_..., whichever of the callee\'s http ports it is); '
              + 'pin a name for one of the two calls, for example connectTo(catalog-api, { port: \'http-admin\', envVar: \'CATALOG_API_HTTP_ADMIN_URL\' }): a pinned name never changes with the callee\'s ports',
          }));
      });

      test('a pinned name settles it, and stays what it is whatever the ports are called', () => {
        const { context } = setup();
        const web = new Microservice(context, 'web', props());
        const catalog = new Microservice(context, 'catalog-api', props({ ports: [Port.http(8080), Port.http(8081, { name: 'http-admin' })] }));

        web.connectTo(catalog, { port: 'http' });
        web.connectTo(catalog, { port: 'http-admin', envVar: 'CATALOG_ADMIN_URL' });

        expect(web.env).toEqual({ CATALOG_API_HTTP_URL: 'http://catalog-api.catalog.svc.cluster.local:8080', CATALOG_ADMIN_URL: 'http://catalog-api.catalog.svc.cluster.local:8081' });
      });

      test('fails when hostAndPort() calls collide, pointing at hostVar and portVar', () => {
        const { context } = setup();
        const web = new Microservice(context, 'web', props());
        const catalog = new Microservice(context, 'catalog-api', props({ ports: [Port.http(8080), Port.http(8081, { name: 'http-admin' })] }));
        web.connectTo(catalog, { port: 'http', address: AddressForm.hostAndPort() });

        expect(() => web.connectTo(catalog, { port: 'http-admin', address: AddressForm.hostAndPort() }))
          .toThrow(/^catalog\/web: 'connectTo\(envVar\)' \('CATALOG_API_HTTP_HOST'\) must be a variable of this call's own, .*connectTo\(catalog-api, \{ port: 'http-admin', address: AddressForm.hostAndPort\(\{ hostVar, portVar \}\) \}\)/);
      });
    });

    test('connectTo uses the envVar given', () => {
      const { products, checkout } = twoContexts();

      const connection = checkout.connectTo(products, { envVar: 'CATALOG_API' });

      expect(connection.envVar).toEqual('CATALOG_API');
      expect(checkout.env).toEqual({ CATALOG_API: 'http://products.catalog.svc.cluster.local:80' });
    });

    test('allowFrom is connectTo seen from the callee', () => {
      const a = twoContexts();
      const b = twoContexts();

      const viaConnect = a.checkout.connectTo(a.products, { port: 'grpc' });
      const viaAllow = b.products.allowFrom(b.checkout, { port: 'grpc' });

      expect(viaAllow.caller).toBe(b.checkout);
      expect(viaAllow.callee).toBe(b.products);
      expect({ envVar: viaAllow.envVar, url: viaAllow.url, port: viaAllow.port.name }).toEqual({ envVar: viaConnect.envVar, url: viaConnect.url, port: 'grpc' });
      expect(objects(b.orders)).toEqual(objects(a.orders));
      expect(objects(b.catalog)).toEqual(objects(a.catalog));
    });

    test('a repeated connectTo returns the same connection and adds nothing', () => {
      const { catalog, orders, products, checkout } = twoContexts();

      const first = checkout.connectTo(products);
      const again = checkout.connectTo(products);
      const samePortByName = checkout.connectTo(products, { port: 'http' });
      const viaAllow = products.allowFrom(checkout);

      expect(again).toBe(first);
      expect(samePortByName).toBe(first);
      expect(viaAllow).toBe(first);
      expect(checkout.calls).toHaveLength(1);
      expect(products.callers).toHaveLength(1);
      expect(find(objects(orders), 'Deployment', 'checkout').spec.template.spec.containers[0].env).toHaveLength(1);
      expect(find(objects(orders), 'NetworkPolicy', 'checkout').spec.egress).toHaveLength(1);
      expect(find(objects(catalog), 'NetworkPolicy', 'products').spec.ingress).toHaveLength(1);
    });

    test('fails when a repeated connectTo asks for another envVar', () => {
      const { products, checkout } = twoContexts();

      checkout.connectTo(products);

      expect(checkout.connectTo(products, { envVar: 'PRODUCTS_URL' }).envVar).toBe('PRODUCTS_URL');
      expect(() => checkout.connectTo(products, { envVar: 'CATALOG_URL' }))
        .toThrow(/^orders\/checkout: 'connectTo\(envVar\)' \('CATALOG_URL'\) must match the call to catalog\/products port 'http' declared before, which uses 'PRODUCTS_URL'; declare each call once, with the envVar you want$/);
    });

    test('calls to two ports of one callee render one rule per port', () => {
      const { orders, products, checkout } = twoContexts();

      checkout.connectTo(products, { port: 'grpc' });
      checkout.connectTo(products);

      expect(find(objects(orders), 'NetworkPolicy', 'checkout').spec.egress.map((r: Manifest) => r.ports)).toEqual([
        [{ protocol: 'TCP', port: 8080 }],
        [{ protocol: 'TCP', port: 9090 }],
      ]);
    });

    test('ingress rules are sorted by caller, whatever the order of declaration', () => {
      const { context } = setup();
      const products = new Microservice(context, 'products', props());
      const web = new Microservice(context, 'web', props());
      const admin = new Microservice(context, 'admin', props());

      web.connectTo(products);
      admin.connectTo(products);

      expect(find(objects(context), 'NetworkPolicy', 'products').spec.ingress.map((r: Manifest) => r.from[0].podSelector.matchLabels['app.kubernetes.io/name']))
        .toEqual(['admin', 'web']);
    });

    test('a service with no declared traffic gets a NetworkPolicy that allows nothing', () => {
      const { context } = setup();

      new Microservice(context, 'products', props());

      expect(find(objects(context), 'NetworkPolicy', 'products').spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'products' } },
        policyTypes: ['Ingress', 'Egress'],
      });
    });

    test('an empty ingress or egress list is exempt from Polaris missingNetworkPolicy, with the reason', () => {
      const { context } = setup();
      const products = new Microservice(context, 'products', props());
      const reviews = new Microservice(context, 'reviews', props());

      reviews.connectTo(products);

      const exemption = (name: string) => {
        const a = deployment(context, name).metadata.annotations;
        const reason = JSON.parse(a['conformance.cdk8s-microservices.io/suppress']).find((x: Manifest) => x.check === 'missingNetworkPolicy')?.reason;
        return { native: a['polaris.fairwinds.com/missingNetworkPolicy-exempt'], reason };
      };
      expect(exemption('products')).toEqual({ native: 'true', reason: expect.stringMatching(/^this service calls nothing, so its NetworkPolicy allows no egress/) });
      expect(exemption('reviews')).toEqual({ native: 'true', reason: expect.stringMatching(/^no service calls this one, so its NetworkPolicy admits no ingress/) });
    });

    test('platform.service finds a microservice by context and name', () => {
      const { platform, products, checkout } = twoContexts();

      expect(platform.service('catalog', 'products')).toBe(products);
      expect(platform.service('orders', 'checkout')).toBe(checkout);
    });

    test('fails when platform.service names an unknown service, listing the known ones', () => {
      const { platform } = twoContexts();

      expect(() => platform.service('catalog', 'reviews'))
        .toThrow(/^shop: 'service' \('catalog\/reviews'\) must name a microservice of the platform \(known: catalog\/products, orders\/checkout\); create the microservice first, or correct the context or service name$/);
    });

    test('fails when connecting a service to itself', () => {
      const { products } = twoContexts();

      expect(() => products.connectTo(products))
        .toThrow(/^catalog\/products: 'connectTo\(callee\)' \('catalog\/products'\) must be another service; calls within a service need no rule; remove this call$/);
    });

    test('fails when connecting to a service of another platform', () => {
      const { app, products } = twoContexts();
      const other = new Platform(app, 'wholesale');
      const billing = new BoundedContext(app, 'billing', { platform: other, team: 'billing-team' });
      const invoices = new Microservice(billing, 'invoices', props());

      expect(() => products.connectTo(invoices))
        .toThrow(/^catalog\/products: 'connectTo\(callee\)' \('billing\/invoices'\) must be a service of platform 'shop', but it belongs to 'wholesale'; declare the callee in the same platform, or model the other platform as an external endpoint$/);
    });

    test('fails when the callee has no ports', () => {
      const { context } = setup();
      const web = new Microservice(context, 'web', props());
      const worker = new Microservice(context, 'worker', props({ ports: [], readiness: undefined, liveness: undefined, withoutProbes: 'consumes a queue' }));

      expect(() => web.connectTo(worker))
        .toThrow(/^catalog\/web: 'connectTo\(callee\)' \('catalog\/worker'\) must expose a port, but the callee has none; add a Port to catalog\/worker, or remove the call$/);
    });

    test('fails when connecting to a port the callee does not expose', () => {
      const { products, checkout } = twoContexts();

      expect(() => checkout.connectTo(products, { port: 'admin' }))
        .toThrow(/^orders\/checkout: 'connectTo\(port\)' \('admin'\) must name a port that catalog\/products exposes \('http', 'grpc'\); use one of those port names, or add the port to the callee$/);
      expect(checkout.calls).toEqual([]);
      expect(products.callers).toEqual([]);
    });

    test('fails when a call\'s URL variable collides with an env var set before', () => {
      const { app, platform, products } = twoContexts();
      const web = new Microservice(new BoundedContext(app, 'storefront', { platform, team: 'web-team' }), 'web', props({ env: { PRODUCTS_URL: 'http://legacy' } }));

      expect(() => web.connectTo(products))
        .toThrow(/^storefront\/web: 'env' \('PRODUCTS_URL'\) must be set once, but is set twice; remove one of the two, or rename one \(for a call, use connectTo's envVar option\)$/);
      expect(web.calls).toEqual([]);
      expect(products.callers).toEqual([]);
    });

    test('fails when an env var collides with a call\'s URL variable set before', () => {
      const { products, checkout } = twoContexts();
      checkout.connectTo(products);

      expect(() => checkout.addEnv('PRODUCTS_URL', 'http://elsewhere'))
        .toThrow(/^orders\/checkout: 'env' \('PRODUCTS_URL'\) must be set once, but is set twice; remove one of the two, or rename one/);
    });

    test('fails when two calls would use the same env var', () => {
      const { products, checkout } = twoContexts();
      checkout.connectTo(products, { envVar: 'UPSTREAM' });

      expect(() => checkout.connectTo(products, { port: 'grpc', envVar: 'UPSTREAM' }))
        .toThrow(/^orders\/checkout: 'connectTo\(envVar\)' \('UPSTREAM'\) must be a variable of this call's own, but the call to catalog\/products port 'http' declared before sets it; pin a name for one of the two calls/);
    });
  });

  describe('env', () => {
    test('renders env vars sorted by name, with addEnv and connectTo URLs', () => {
      const { context } = setup();
      const reviews = new Microservice(context, 'reviews', props());
      const products = new Microservice(context, 'products', props({ env: { LOG_FORMAT: 'json', CACHE_TTL_SECONDS: '60' } }));

      products.addEnv('FEATURE_FLAGS', 'beta');
      products.connectTo(reviews);

      const expected = {
        CACHE_TTL_SECONDS: '60',
        FEATURE_FLAGS: 'beta',
        LOG_FORMAT: 'json',
        REVIEWS_URL: 'http://reviews.catalog.svc.cluster.local:8080',
      };
      expect(products.env).toEqual(expected);
      expect(Object.keys(products.env)).toEqual(Object.keys(expected));
      const out = objects(context);
      expect(resolvedEnv(out, find(out, 'Deployment', 'products'))).toEqual(Object.entries(expected).map(([name, value]) => ({ name, value })));
    });

    test('getters return copies', () => {
      const { context } = setup();
      const reviews = new Microservice(context, 'reviews', props());
      const products = new Microservice(context, 'products', props({ env: { LOG_FORMAT: 'json' } }));
      products.connectTo(reviews);

      products.ports.push(Port.grpc(9090));
      products.env.EXTRA = 'x';
      products.calls.pop();
      reviews.callers.pop();

      expect(products.ports.map(p => p.name)).toEqual(['http']);
      expect(products.env).toEqual({ LOG_FORMAT: 'json', REVIEWS_URL: 'http://reviews.catalog.svc.cluster.local:8080' });
      expect(products.calls).toHaveLength(1);
      expect(reviews.callers).toHaveLength(1);
    });

    test.each([
      ['1ABC', /^catalog\/products: 'env' \('1ABC'\) must be a C identifier: letters, digits and '_', not starting with a digit; rename it, for example '_1ABC'$/],
      ['log-format', /^catalog\/products: 'env' \('log-format'\) must be a C identifier: letters, digits and '_', not starting with a digit; rename it, for example 'LOG_FORMAT'$/],
      ['', /^catalog\/products: 'env' \(''\) must be a C identifier/],
    ])('fails when an env var is named %j', (name, message) => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ env: { [name]: 'x' } }))).toThrow(message);
    });

    test('fails when addEnv sets a variable twice', () => {
      const { context } = setup();
      const products = new Microservice(context, 'products', props({ env: { LOG_FORMAT: 'json' } }));

      expect(() => products.addEnv('LOG_FORMAT', 'text'))
        .toThrow(/^catalog\/products: 'env' \('LOG_FORMAT'\) must be set once, but is set twice; remove one of the two, or rename one/);
      expect(products.env).toEqual({ LOG_FORMAT: 'json' });
    });
  });
});
