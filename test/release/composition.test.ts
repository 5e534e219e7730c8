import { find, objects } from '../_helpers';
import { composition } from './_release';

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
