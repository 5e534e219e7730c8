import { Testing } from 'cdk8s';
import { BoundedContext, Image, Microservice, Platform, Port, PriorityTier, Probe, Workload } from '../../lib';
import { find, objects } from '../_helpers';

function svc(context: BoundedContext, id: string): Microservice {
  return new Microservice(context, id, {
    image: Image.fromTag(`ghcr.io/acme/${id}`, '1.0.0'),
    ports: [Port.http(8080)],
    readiness: Probe.http('/ready'),
    liveness: Probe.http('/live'),
  });
}

describe('Platform', () => {
  test('defaults: cluster.local, kube-dns in kube-system, the three built-in tiers', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    expect(platform.platformName).toBe('shop');
    expect(platform.clusterDomain).toBe('cluster.local');
    expect(platform.dnsNamespace).toBe('kube-system');
    expect(platform.dnsPodLabels).toEqual({ 'k8s-app': 'kube-dns' });
    expect(platform.priorityTiers).toEqual([PriorityTier.CRITICAL, PriorityTier.STANDARD, PriorityTier.BATCH]);
    expect(platform.apiServerCidrs).toBeUndefined();
    expect(platform.apiServerPort).toBe(443);
  });

  test('fails when the API server networks are empty, malformed or everything, or the port is out of range', () => {
    expect(() => new Platform(Testing.app(), 'shop', { apiServerCidrs: [] })).toThrow(/^shop: 'apiServerCidrs' \(\[\]\) must list at least one network when given/);
    expect(() => new Platform(Testing.app(), 'shop', { apiServerCidrs: ['10.0.0.1'] })).toThrow(/^shop: 'apiServerCidrs' \('10.0.0.1'\) must be an IPv4 or IPv6 network in CIDR notation/);
    expect(() => new Platform(Testing.app(), 'shop', { apiServerCidrs: ['10.96.0.1/12'] })).toThrow(/^shop: 'apiServerCidrs' \('10.96.0.1\/12'\) must not have host bits set/);
    expect(() => new Platform(Testing.app(), 'shop', { apiServerCidrs: ['0.0.0.0/0'] })).toThrow(/narrower than every address/);
    expect(() => new Platform(Testing.app(), 'shop', { apiServerPort: 0 })).toThrow(/^shop: 'apiServerPort' \(0\) must be a whole number between 1 and 65535/);
  });

  test('renders one PriorityClass per built-in tier, named after the platform, never the global default', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    const out = objects(platform);
    expect(out.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'PriorityClass/shop-critical', 'PriorityClass/shop-standard', 'PriorityClass/shop-batch',
    ]);
    expect(find(out, 'PriorityClass', 'shop-critical')).toMatchObject({ value: 100000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' });
    expect(find(out, 'PriorityClass', 'shop-standard')).toMatchObject({ value: 10000, globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' });
    expect(find(out, 'PriorityClass', 'shop-batch')).toMatchObject({ value: 1000, globalDefault: false, preemptionPolicy: 'Never' });
    for (const o of out) {
      expect(o.metadata.namespace).toBeUndefined();
      expect(o.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'cdk8s' });
    }
  });

  test('custom tiers render a PriorityClass; preempting defaults to true and the description to the name', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    const tier = platform.addPriorityTier('reporting', { value: 500 });
    expect(tier.preempting).toBe(true);
    expect(tier.description).toBe('reporting tier of the platform');
    expect(platform.priorityClassName(tier)).toBe('shop-reporting');
    expect(find(objects(platform), 'PriorityClass', 'shop-reporting')).toMatchObject({
      value: 500, preemptionPolicy: 'PreemptLowerPriority', description: 'reporting tier of the platform',
    });
  });

  test('its chart is synthesized first, so cluster-scoped objects come before the namespaces that use them', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    new BoundedContext(app, 'catalog', { platform, team: 't' });
    new BoundedContext(app, 'accounts', { platform, team: 't' });
    expect(app.charts.map(c => c.node.id)).toEqual(['shop', 'catalog', 'accounts']);
  });

  test('contexts and services can be looked up by name', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    const catalog = new BoundedContext(app, 'catalog', { platform, team: 't' });
    const products = svc(catalog, 'products');
    expect(BoundedContext.all(platform)).toEqual([catalog]);
    expect(Microservice.all(catalog)).toEqual([products]);
    expect(Workload.all(catalog)).toEqual([products]);
    expect(Microservice.find(platform, 'catalog', 'products')).toBe(products);
  });

  test('the deprecated lookups still work for one release', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop');
    const catalog = new BoundedContext(app, 'catalog', { platform, team: 't' });
    const products = svc(catalog, 'products');
    expect(platform.contexts).toEqual([catalog]);
    expect(platform.service('catalog', 'products')).toBe(products);
    expect(catalog.services).toEqual([products]);
    expect(catalog.workloads).toEqual([products]);
    expect(() => platform.service('catalog', 'prodcuts')).toThrow(/^shop: 'service' \('catalog\/prodcuts'\) must name a microservice of the platform/);
  });

  test('the cluster domain and DNS selector are used in URLs and the DNS policy', () => {
    const app = Testing.app();
    const platform = new Platform(app, 'shop', { clusterDomain: 'corp.example', dnsNamespace: 'dns', dnsPodLabels: { app: 'coredns' } });
    const catalog = new BoundedContext(app, 'catalog', { platform, team: 't' });
    const products = svc(catalog, 'products');
    expect(products.url()).toBe('http://products.catalog.svc.corp.example:8080');
    expect(find(objects(catalog), 'NetworkPolicy', 'allow-dns').spec.egress[0].to[0]).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } },
      podSelector: { matchLabels: { app: 'coredns' } },
    });
  });

  describe('bad input', () => {
    test('fails when the platform name is not a DNS label', () => {
      expect(() => new Platform(Testing.app(), 'Shop')).toThrow(/Shop: 'id' \('Shop'\) must be a DNS-1123 label.*for example 'shop'/);
    });

    test('fails when the cluster domain is not a domain', () => {
      expect(() => new Platform(Testing.app(), 'shop', { clusterDomain: 'Cluster Local' }))
        .toThrow(/shop: 'clusterDomain' \('Cluster Local'\) must be a DNS domain/);
    });

    test('fails when the DNS selector is empty', () => {
      expect(() => new Platform(Testing.app(), 'shop', { dnsPodLabels: {} }))
        .toThrow(/shop: 'dnsPodLabels' \(\{\}\) must select the DNS pods with at least one label/);
    });

    test('fails when a tier repeats a name or its value is out of range', () => {
      const platform = new Platform(Testing.app(), 'shop');
      expect(() => platform.addPriorityTier('critical', { value: 1 })).toThrow(/'addPriorityTier\(name\)' \('critical'\) must not repeat a tier/);
      expect(() => platform.addPriorityTier('huge', { value: 2000000000 }))
        .toThrow(/'addPriorityTier\(huge\).value' \(2000000000\) must be a whole number between -2147483648 and 1000000000/);
    });

    test('fails when a microservice uses a tier of another platform', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      const other = new Platform(app, 'other');
      const tier = other.addPriorityTier('reporting', { value: 1 });
      const catalog = new BoundedContext(app, 'catalog', { platform, team: 't' });
      expect(() => new Microservice(catalog, 'products', {
        image: Image.fromTag('ghcr.io/acme/products', '1.0.0'), ports: [Port.http(8080)],
        readiness: Probe.http('/ready'), liveness: Probe.http('/live'), priority: tier,
      })).toThrow(/^catalog\/products: 'priority' \('reporting'\) must be a tier of platform 'shop' \(critical, standard, batch\); use a built-in PriorityTier/);
      expect(Microservice.all(catalog)).toEqual([]);
    });

    test('fails when a service is looked up that does not exist, listing the known ones', () => {
      const app = Testing.app();
      const platform = new Platform(app, 'shop');
      const catalog = new BoundedContext(app, 'catalog', { platform, team: 't' });
      svc(catalog, 'products');
      expect(() => Microservice.find(platform, 'catalog', 'prodcuts'))
        .toThrow(/shop: 'service' \('catalog\/prodcuts'\) must name a microservice of the platform \(known: catalog\/products\); create the microservice first/);
      expect(() => Microservice.find(platform, 'orders', 'orders')).toThrow(/known: catalog\/products/);
    });
  });
});
