import { ApiGateway, BoundedContext, Colour, GatewayTls, IRelease, IdleScale, Image, Microservice, Port, Probe, Release, VariantMatch } from '../../lib';
import { find, objects, setup } from '../_helpers';
import { Cpu } from 'cdk8s-plus-27';

/** One service per strategy in a context, called by a service of another context, all routed by one gateway. */
function composition() {
  // the tracks count at their maximum: more than the default quota holds
  const { app, platform, context: catalog } = setup({ quota: { cpuLimits: Cpu.units(32), pods: 64 } });
  const shop = new BoundedContext(app, 'ordering', { platform, team: 'ordering-team' });
  const service = (ctx: BoundedContext, id: string, version: string, release?: IRelease) =>
    new Microservice(ctx, id, {
      image: Image.fromTag(`ghcr.io/acme/${id}`, version), ports: [Port.http(8080)],
      readiness: Probe.http('/ready'), liveness: Probe.http('/live'), env: { LOG_LEVEL: 'info' }, release,
    });
  const next = (id: string) => Image.fromTag(`ghcr.io/acme/${id}`, '2.0.0');
  const products = service(catalog, 'products', '1.8.2', Release.canary({ image: next('products'), weight: 10, minReplicas: 1, maxReplicas: 2 }));
  const reviews = service(catalog, 'reviews', '1.4.0', Release.blueGreen({ image: next('reviews'), active: Colour.GREEN }));
  const search = service(catalog, 'search', '3.1.0', Release.abTest({ image: next('search'), matches: [VariantMatch.header('X-Search-Variant', 'b')] }));
  const pricing = service(catalog, 'pricing', '0.9.0', Release.shadow({ image: next('pricing'), percent: 20, mirrorsWritesReason: 'pricing is read-only' }));
  const idle = service(catalog, 'inventory', '5.0.0', Release.blueGreen({ image: next('inventory'), active: Colour.BLUE, idle: IdleScale.ZERO }));
  const orders = service(shop, 'orders', '1.0.0');
  orders.connectTo(products);
  const gateway = new ApiGateway(app, 'public', { platform, hosts: ['api.example.com'], tls: GatewayTls.fromSecret('api-tls') });
  for (const s of [products, reviews, search, pricing]) {
    gateway.addRoute({ host: 'api.example.com', path: `/${s.name}`, service: s });
  }
  return { catalog, shop, gateway, products, idle };
}

describe('a platform with one release of each strategy', () => {
  test('renders (snapshot)', () => {
    const c = composition();
    expect({ catalog: objects(c.catalog), shop: objects(c.shop), gateway: objects(c.gateway) }).toMatchSnapshot();
  });

  test('a caller in another context reaches the pods of both tracks under the stable name', () => {
    const c = composition();
    const egress = find(objects(c.shop), 'NetworkPolicy', 'orders').spec.egress;
    expect(egress[0].to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'catalog' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'products' } } }]);
    const ingress = find(objects(c.catalog), 'NetworkPolicy', 'products').spec.ingress;
    expect(ingress[0].from[0].podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'orders', 'app.kubernetes.io/instance': 'orders' } });
    expect(c.products.url()).toBe('http://products.catalog.svc.cluster.local:8080');
  });

  test('every track reads the same configuration and runs as the same identity', () => {
    const out = objects(composition().catalog);
    const spec = (name: string) => find(out, 'Deployment', name).spec.template.spec;
    for (const track of ['products-canary', 'reviews-green', 'search-variant', 'pricing-shadow']) {
      const stable = spec(track.replace(/-[a-z]+$/, ''));
      expect(spec(track).serviceAccountName).toBe(stable.serviceAccountName);
      expect(spec(track).containers[0].env).toEqual(stable.containers[0].env);
      expect(spec(track).volumes).toEqual(stable.volumes);
    }
  });
});
