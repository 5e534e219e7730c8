import { Cpu } from 'cdk8s-plus-27';
import { Release } from '../../lib';
import { find, objects, thrown } from '../_helpers';
import { NEXT, STABLE, buildRelease, rendered } from './_release';

const ROUTE = 'public-products-https-api-example-com';

describe('canary', () => {
  const canary = (weight = 10, extra = {}) => Release.canary({ image: NEXT, weight, ...extra });

  test('the track runs beside the stable Deployment, whose name, selector and pod labels do not change', () => {
    const before = objects(buildRelease(undefined).context);
    const out = rendered(buildRelease(canary()));
    const stable = find(out, 'Deployment', 'products');
    expect(stable.spec.selector).toEqual(find(before, 'Deployment', 'products').spec.selector);
    expect(stable.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' });
    expect(stable.spec.template).toEqual(find(before, 'Deployment', 'products').spec.template);
    expect(stable.spec.template.spec.containers[0].image).toBe(STABLE.reference);

    const track = find(out, 'Deployment', 'products-canary');
    expect(track.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products-canary' });
    expect(track.spec.template.metadata.labels).toMatchObject({
      'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products-canary',
      'app.kubernetes.io/version': '1.9.0', 'cdk8s-microservices.io/track': 'canary',
    });
    expect(track.spec.template.spec.containers[0].image).toBe(NEXT.reference);
    expect(track.spec.replicas).toBeUndefined();
  });

  test('the stable selector never matches the canary pods (no two autoscalers or budgets share a pod)', () => {
    const out = rendered(buildRelease(canary()));
    const canaryPods = find(out, 'Deployment', 'products-canary').spec.template.metadata.labels;
    const stablePods = find(out, 'Deployment', 'products').spec.template.metadata.labels;
    const matches = (selector: { [k: string]: string }, labels: { [k: string]: string }) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    for (const kind of ['Deployment', 'PodDisruptionBudget']) {
      expect(matches(find(out, kind, 'products').spec.selector.matchLabels, canaryPods)).toBe(false);
      expect(matches(find(out, kind, 'products-canary').spec.selector.matchLabels, stablePods)).toBe(false);
      expect(matches(find(out, kind, 'products-canary').spec.selector.matchLabels, canaryPods)).toBe(true);
    }
    // the canary's spread counts its own pods
    const spread = find(out, 'Deployment', 'products-canary').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((c: any) => c.labelSelector.matchLabels['app.kubernetes.io/instance'])).toEqual(['products-canary', 'products-canary']);
  });

  test('the track has its own autoscaler and disruption budget, with the stable bounds by default', () => {
    const out = rendered(buildRelease(canary()));
    const hpa = find(out, 'HorizontalPodAutoscaler', 'products-canary');
    expect(hpa.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'products-canary' }, minReplicas: 2, maxReplicas: 4 });
    expect(find(out, 'HorizontalPodAutoscaler', 'products').spec.scaleTargetRef.name).toBe('products');
    expect(find(out, 'PodDisruptionBudget', 'products-canary').spec).toMatchObject({ maxUnavailable: 1 });
  });

  test('the track scales as told', () => {
    const out = rendered(buildRelease(canary(10, { minReplicas: 1, maxReplicas: 2 })));
    expect(find(out, 'HorizontalPodAutoscaler', 'products-canary').spec).toMatchObject({ minReplicas: 1, maxReplicas: 2 });
  });

  test('the version label is the image version by default, or as told', () => {
    const b = buildRelease(canary(10, { version: 'v1.9-rc' }));
    expect(find(objects(b.context), 'Deployment', 'products-canary').metadata.labels['app.kubernetes.io/version']).toBe('v1.9-rc');
  });

  test('in-cluster callers keep the Service name, which selects both tracks; per-track Services select one each', () => {
    const out = rendered(buildRelease(canary()));
    expect(find(out, 'Service', 'products').spec.selector).toEqual({ 'app.kubernetes.io/name': 'products' });
    expect(find(out, 'Service', 'products-stable').spec.selector).toEqual({ 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' });
    expect(find(out, 'Service', 'products-canary').spec.selector).toEqual({ 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products-canary' });
    expect(find(out, 'Service', 'products-canary').spec.ports.map((p: any) => p.port)).toEqual([8080, 9090]);
  });

  test('the network policies admit the pods of both tracks', () => {
    const out = rendered(buildRelease(canary()));
    expect(find(out, 'NetworkPolicy', 'products').spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'products' } });
    expect(find(out, 'NetworkPolicy', 'products-from-public').spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'products' } });
  });

  test('without a release, the Service and policies select as before', () => {
    const out = rendered(buildRelease(undefined));
    expect(find(out, 'Service', 'products').spec.selector).toEqual({ 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' });
    expect(find(out, 'NetworkPolicy', 'products').spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': 'products' } });
    expect(find(out, 'HTTPRoute', ROUTE).spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'products', port: 8080 }]);
    expect(out.filter(m => m.metadata.name === 'products-stable')).toEqual([]);
  });

  test.each([0, 10, 50, 100])('the HTTPRoute and the GRPCRoute split by weight %i', weight => {
    const out = rendered(buildRelease(canary(weight)));
    expect(find(out, 'HTTPRoute', ROUTE).spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'products-stable', port: 8080, weight: 100 - weight }, { group: '', kind: 'Service', name: 'products-canary', port: 8080, weight },
    ]);
    expect(find(out, 'GRPCRoute', ROUTE).spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'products-stable', port: 9090, weight: 100 - weight }, { group: '', kind: 'Service', name: 'products-canary', port: 9090, weight },
    ]);
  });

  test('the quota check counts both tracks at their maximum', () => {
    // stable 2..4 + 1 surge + 1 terminating = 6 pods, canary the same: 12 pods x 100m
    const fits = buildRelease(canary(), { contextProps: { quota: { cpuRequests: Cpu.millis(1200), pods: 12 } } });
    expect(() => objects(fits.context)).not.toThrow();
    const tight = buildRelease(canary(), { contextProps: { quota: { cpuRequests: Cpu.millis(1100), pods: 12 } } });
    expect(() => objects(tight.context)).toThrow(/'quota.cpuRequests' \('1100m'\) is below the CPU requests .*products 12 pods x 100m = 1200m/);
    const services = buildRelease(canary(), { contextProps: { quota: { services: 2 } } });
    expect(() => objects(services.context)).toThrow(/'quota.services'/);
  });

  test('the exposed release and the weight of a one-line step', () => {
    const b = buildRelease(canary(25));
    expect(b.products.release?.strategy).toBe('canary');
    expect(buildRelease(undefined).products.release).toBeUndefined();
  });

  describe('bad input', () => {
    test.each([-1, 101, 12.5, NaN])('fails when the weight is %p', weight => {
      const e = thrown(() => buildRelease(canary(weight)));
      expect(e.path).toBe('catalog/products');
      expect(e.prop).toBe('release.weight');
      expect(e.message).toMatch(/'release.weight' .* must be a whole number between 0 and 100; use a percent of the routed requests from 0 to 100, such as 10/);
    });

    test('fails when the canary runs the stable image', () => {
      const e = thrown(() => buildRelease(Release.canary({ image: STABLE, weight: 10 })));
      expect(e.message).toBe("catalog/products: 'release.image' ('ghcr.io/acme/products:1.8.2') must differ from the stable track's image: "
        + 'a canary release runs a new version beside the stable one; set release.image to the new version, or remove the release');
      expect(e.code).toBe('CONFLICT');
    });

    test('fails when no gateway routes the service', () => {
      const b = buildRelease(canary(), { routed: false });
      const e = thrown(() => objects(b.context));
      expect(e.message).toMatch(/catalog\/products: 'release' \('canary'\) must be on a service that a gateway routes .*; route the service through an ApiGateway/);
    });

    test('fails when the track scales below its minimum', () => {
      const e = thrown(() => buildRelease(canary(10, { minReplicas: 3, maxReplicas: 2 })));
      expect(e.prop).toBe('release.maxReplicas');
      expect(e.message).toMatch(/must be at least 'release.minReplicas' \(3\)/);
    });

    test('fails when the canary image breaks the image policy', () => {
      const e = thrown(() => buildRelease(Release.canary({ image: undefined as any, weight: 10 })));
      expect(e.prop).toBe('release.image');
    });

    test('fails when the track would take the name of another workload', () => {
      const b = buildRelease(canary());
      new (require('../../lib').Microservice)(b.context, 'products-canary', {
        image: NEXT, ports: [], withoutProbes: 'test',
      });
      const e = thrown(() => objects(b.context));
      expect(e.message).toMatch(/'release' \('canary'\) must not name its objects 'products-canary', the name of catalog\/products-canary/);
    });

    test('fails on a service without ports', () => {
      const e = thrown(() => buildRelease(canary(), { routed: false, props: { ports: [], readiness: undefined, liveness: undefined, withoutProbes: 'a queue consumer' } }));
      expect(e.message).toMatch(/'release' \('canary'\) must be on a service with ports/);
    });

    test('fails when release is not a release', () => {
      const e = thrown(() => buildRelease({ weight: 10 } as any));
      expect(e.prop).toBe('release');
      expect(e.code).toBe('WRONG_TYPE');
    });
  });
});

test('the track rolls out and scales on CPU as the stable track does', () => {
  const out = rendered(buildRelease(Release.canary({ image: NEXT, weight: 10 }), { props: { maxSurge: 2, targetCpuUtilization: 60 } }));
  expect(find(out, 'Deployment', 'products-canary').spec.strategy).toEqual(find(out, 'Deployment', 'products').spec.strategy);
  expect(find(out, 'Deployment', 'products-canary').spec.strategy.rollingUpdate.maxSurge).toBe(2);
  expect(find(out, 'HorizontalPodAutoscaler', 'products-canary').spec.metrics[0].resource.target.averageUtilization).toBe(60);
});

test('the track carries the stable track\'s linter suppressions, with its own reason for leaving out spec.replicas', () => {
  const out = rendered(buildRelease(Release.canary({ image: NEXT, weight: 10, minReplicas: 3, maxReplicas: 5 })));
  const suppressions = (name: string) => JSON.parse(find(out, 'Deployment', name).metadata.annotations['conformance.cdk8s-microservices.io/suppress']);
  const stable = suppressions('products');
  const track = suppressions('products-canary');
  expect(stable.map((s: any) => s.check).sort()).toEqual(track.map((s: any) => s.check).sort());
  expect(track.find((s: any) => s.check === 'missingNetworkPolicy')).toEqual(stable.find((s: any) => s.check === 'missingNetworkPolicy'));
  expect(track.find((s: any) => s.check === 'deploymentMissingReplicas').reason).toMatch(/minReplicas 3/);
});

test('fails when the service\'s name leaves no room for the track\'s names', () => {
  const { context } = require('../_helpers').setup();
  const long = 'a'.repeat(57);
  const e = thrown(() => new (require('../../lib').Microservice)(context, long, {
    image: STABLE, ports: [require('../../lib').Port.http(8080)], withoutProbes: 'test', release: Release.canary({ image: NEXT, weight: 1 }),
  }));
  expect(e.message).toMatch(new RegExp(`'release' \\('canary'\\) must leave room for the names of the release's objects, such as '${long}-canary' \\(64 characters, at most 63\\); shorten the service's name to at most 56 characters`));
  expect(e.code).toBe('INVALID_NAME');
});
