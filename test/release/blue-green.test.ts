import { Colour, IdleScale, Release } from '../../lib';
import { find, objects, thrown } from '../_helpers';
import { NEXT, buildRelease, rendered } from './_release';

const ROUTE = 'public-products-https-api-example-com';
const STABLE_PODS = { 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' };
const GREEN_PODS = { 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products-green' };

describe('blue-green', () => {
  test('with blue active, the Service and the routes take blue (the stable Deployment) alone; green runs warm by default', () => {
    const out = rendered(buildRelease(Release.blueGreen({ image: NEXT, active: Colour.BLUE })));
    expect(find(out, 'Service', 'products').spec.selector).toEqual(STABLE_PODS);
    expect(find(out, 'HTTPRoute', ROUTE).spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'products-stable', port: 8080, weight: 100 }, { group: '', kind: 'Service', name: 'products-green', port: 8080, weight: 0 },
    ]);
    const green = find(out, 'Deployment', 'products-green');
    expect(green.spec.selector.matchLabels).toEqual(GREEN_PODS);
    expect(green.spec.template.metadata.labels['cdk8s-microservices.io/track']).toBe('green');
    expect(green.spec.replicas).toBeUndefined();
    expect(find(out, 'HorizontalPodAutoscaler', 'products-green').spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
  });

  test('switching is the one prop: with green active, the Service and the routes take green alone', () => {
    const out = rendered(buildRelease(Release.blueGreen({ image: NEXT, active: Colour.GREEN })));
    expect(find(out, 'Service', 'products').spec.selector).toEqual(GREEN_PODS);
    expect(find(out, 'HTTPRoute', ROUTE).spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'products-stable', port: 8080, weight: 0 }, { group: '', kind: 'Service', name: 'products-green', port: 8080, weight: 100 },
    ]);
    expect(find(out, 'GRPCRoute', ROUTE).spec.rules[0].backendRefs.map((b: any) => b.weight)).toEqual([0, 100]);
    // the network policy admits both colours, whichever is active
    expect(find(out, 'NetworkPolicy', 'products').spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'products' });
    // blue, the rollback, keeps its autoscaler
    expect(find(out, 'HorizontalPodAutoscaler', 'products').spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
  });

  test('idle at zero: green has no autoscaler nor budget and zero replicas; the quota check counts none of its pods', () => {
    const b = buildRelease(Release.blueGreen({ image: NEXT, active: Colour.BLUE, idle: IdleScale.ZERO }));
    const out = rendered(b);
    expect(find(out, 'Deployment', 'products-green').spec.replicas).toBe(0);
    expect(out.filter(m => ['HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(m.kind) && m.metadata.name === 'products-green')).toEqual([]);
    expect(b.products._footprint().peakPods).toBe(6);
    const warm = buildRelease(Release.blueGreen({ image: NEXT, active: Colour.BLUE }));
    expect(warm.products._footprint().peakPods).toBe(12);
  });

  test('needs no route: the Service switches', () => {
    const b = buildRelease(Release.blueGreen({ image: NEXT, active: Colour.GREEN }), { routed: false });
    expect(find(objects(b.context), 'Service', 'products').spec.selector).toEqual(GREEN_PODS);
  });

  describe('bad input', () => {
    test('fails when green is at zero while active', () => {
      const e = thrown(() => buildRelease(Release.blueGreen({ image: NEXT, active: Colour.GREEN, idle: IdleScale.ZERO })));
      expect(e.message).toBe("catalog/products: 'release.idle' ('IdleScale.ZERO') must not scale green to zero while green is active: it takes all the traffic; "
        + 'use IdleScale.WARM, or switch active to Colour.BLUE first');
    });

    test('fails when blue runs green\'s image while blue is active; green active, it is the step before the end', () => {
      expect(thrown(() => buildRelease(Release.blueGreen({ image: NEXT, active: Colour.BLUE }), { props: { image: NEXT } })).prop).toBe('release.image');
      expect(() => rendered(buildRelease(Release.blueGreen({ image: NEXT, active: Colour.GREEN }), { props: { image: NEXT } }))).not.toThrow();
    });

    test('fails when active is not a Colour', () => {
      const e = thrown(() => buildRelease(Release.blueGreen({ image: NEXT, active: 'green' as any })));
      expect(e.prop).toBe('release.active');
      expect(e.message).toMatch(/must be one of Colour.BLUE \('blue'\), Colour.GREEN \('green'\); use Colour.GREEN/);
    });
  });
});

test('the idle colour at zero says why it runs no replica; a track of one pod beside the stable one says why', () => {
  const zero = rendered(buildRelease(Release.blueGreen({ image: NEXT, active: Colour.BLUE, idle: IdleScale.ZERO })));
  expect(find(zero, 'Deployment', 'products-green').metadata.annotations).toMatchObject({
    'polaris.fairwinds.com/deploymentMissingReplicas-exempt': 'true', 'kube-score/ignore': 'deployment-replicas',
  });
  const one = rendered(buildRelease(Release.canary({ image: NEXT, weight: 5, minReplicas: 1 })));
  expect(find(one, 'HorizontalPodAutoscaler', 'products-canary').metadata.annotations).toMatchObject({
    'polaris.fairwinds.com/hpaMinAvailability-exempt': 'true', 'kube-score/ignore': 'horizontalpodautoscaler-replicas',
  });
  // green active at one pod takes all traffic: the linters' warning stands
  const active = rendered(buildRelease(Release.blueGreen({ image: NEXT, active: Colour.GREEN, minReplicas: 1 })));
  expect(find(active, 'HorizontalPodAutoscaler', 'products-green').metadata.annotations ?? {}).not.toHaveProperty('kube-score/ignore');
});
