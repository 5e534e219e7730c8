import { DisruptionBudget, Microservice, MicroserviceProps, Platform } from '../../lib';
import { find, objects, setup } from '../_helpers';
import { deployment, props } from './_microservice';

describe('Microservice', () => {
  describe('defaults', () => {
    test('scales between 2 and twice as many replicas at 70% CPU', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props());

      expect(products.minReplicas).toEqual(2);
      expect(products.maxReplicas).toEqual(4);
      expect(products.targetCpuUtilization).toEqual(70);
      expect(find(objects(context), 'HorizontalPodAutoscaler', 'products').spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'products' },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      });
    });

    test('maxReplicas defaults to twice the minReplicas given', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props({ minReplicas: 3 }));

      expect(products.maxReplicas).toEqual(6);
      expect(find(objects(context), 'HorizontalPodAutoscaler', 'products').spec).toMatchObject({ minReplicas: 3, maxReplicas: 6 });
    });

    test('renders the scaling values given', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ minReplicas: 3, maxReplicas: 12, targetCpuUtilization: 60, maxSurge: 2 }));

      const manifests = objects(context);
      expect(find(manifests, 'HorizontalPodAutoscaler', 'products').spec).toMatchObject({
        minReplicas: 3,
        maxReplicas: 12,
        metrics: [{ resource: { target: { averageUtilization: 60 } } }],
      });
      expect(find(manifests, 'Deployment', 'products').spec.strategy.rollingUpdate).toEqual({ maxSurge: 2, maxUnavailable: 0 });
    });

    test('rolls out one extra pod at a time and never goes below the desired count', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props());

      expect(products.maxSurge).toEqual(1);
      expect(deployment(context, 'products').spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    });

    test('lets voluntary disruptions take one pod at a time, and evicts unhealthy pods', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props());

      expect(products.disruptionBudget).toEqual(DisruptionBudget.maxUnavailable(1));
      expect(find(objects(context), 'PodDisruptionBudget', 'products').spec).toEqual({
        selector: { matchLabels: { 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' } },
        maxUnavailable: 1,
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      });
    });

    test('renders a minAvailable budget below minReplicas', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ minReplicas: 3, disruptionBudget: DisruptionBudget.minAvailable(2) }));

      const spec = find(objects(context), 'PodDisruptionBudget', 'products').spec;
      expect(spec).toMatchObject({ minAvailable: 2, unhealthyPodEvictionPolicy: 'AlwaysAllow' });
      expect(spec).not.toHaveProperty('maxUnavailable');
    });

    test('allows maxUnavailable(1) with a single replica', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ minReplicas: 1 }));

      expect(find(objects(context), 'PodDisruptionBudget', 'products').spec).toMatchObject({ maxUnavailable: 1 });
    });
  });

  describe('fixed replicas', () => {
    test('replicas is an autoscaler holding the count (min = max), never spec.replicas, and a budget that lets a node drain', () => {
      const { context } = setup();

      const cache = new Microservice(context, 'cache', props({ replicas: 1 }));

      expect(cache.replicas).toEqual(1);
      expect([cache.minReplicas, cache.maxReplicas]).toEqual([1, 1]);
      const manifests = objects(context);
      const d = find(manifests, 'Deployment', 'cache');
      expect(d.spec).not.toHaveProperty('replicas');
      expect(find(manifests, 'HorizontalPodAutoscaler', 'cache').spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cache' },
        minReplicas: 1,
        maxReplicas: 1,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
      });
      expect(find(manifests, 'PodDisruptionBudget', 'cache').spec.maxUnavailable).toEqual(1);
      const hpa = find(manifests, 'HorizontalPodAutoscaler', 'cache');
      const holds = 'holds a fixed count (replicas: 1, minReplicas = maxReplicas) rather than scaling, so that switching to autoscaling later is a change of this object only and never scales the Deployment down; '
        + 'a singleton by design (replicas: 1): the service must run as one instance; its disruption budget still lets a node drain';
      expect(JSON.parse(hpa.metadata.annotations['conformance.cdk8s-microservices.io/suppress'])).toEqual([
        { tool: 'polaris', check: 'hpaMaxAvailability', reason: expect.stringMatching(/^holds a fixed count \(replicas: 1, minReplicas = maxReplicas\) rather than scaling, .*scales the Deployment down$/) },
        { tool: 'polaris', check: 'hpaMinAvailability', reason: holds },
        { tool: 'kube-score', check: 'horizontalpodautoscaler-replicas', reason: holds },
      ]);
      expect(hpa.metadata.annotations).toMatchObject({
        'polaris.fairwinds.com/hpaMaxAvailability-exempt': 'true', 'polaris.fairwinds.com/hpaMinAvailability-exempt': 'true', 'kube-score/ignore': 'horizontalpodautoscaler-replicas',
      });
      expect(JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress'])).toContainEqual({
        tool: 'polaris', check: 'deploymentMissingReplicas',
        reason: 'the HorizontalPodAutoscaler owns the fixed replica count (minReplicas = maxReplicas = 1); '
          + 'spec.replicas is left out so that switching between a fixed count and autoscaling never scales the Deployment down; a singleton by design (replicas: 1): the service must run as one instance; its disruption budget still lets a node drain',
      });
    });

    test('more than one fixed replica: the autoscaler holds it, and Polaris is told why there is no spec.replicas', () => {
      const { context } = setup();

      new Microservice(context, 'cache', props({ replicas: 3 }));

      const manifests = objects(context);
      const d = find(manifests, 'Deployment', 'cache');
      expect(d.spec).not.toHaveProperty('replicas');
      const hpa = find(manifests, 'HorizontalPodAutoscaler', 'cache');
      expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 3 });
      // Polaris wants maxReplicas above minReplicas; 3 replicas satisfy kube-score's and Polaris' minimum
      expect(JSON.parse(hpa.metadata.annotations['conformance.cdk8s-microservices.io/suppress']).map((x: { check: string }) => x.check)).toEqual(['hpaMaxAvailability']);
      expect(hpa.metadata.annotations['kube-score/ignore']).toBeUndefined();
      expect(JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress'])).toContainEqual({
        tool: 'polaris', check: 'deploymentMissingReplicas',
        reason: 'the HorizontalPodAutoscaler owns the fixed replica count (minReplicas = maxReplicas = 3); '
          + 'spec.replicas is left out so that switching between a fixed count and autoscaling never scales the Deployment down',
      });
    });

    test('equal minReplicas and maxReplicas mean a fixed count', () => {
      const { context } = setup();

      const api = new Microservice(context, 'api', props({ minReplicas: 3, maxReplicas: 3 }));

      expect(api.replicas).toEqual(3);
      const manifests = objects(context);
      expect(find(manifests, 'Deployment', 'api').spec).not.toHaveProperty('replicas');
      expect(find(manifests, 'HorizontalPodAutoscaler', 'api').spec).toMatchObject({ minReplicas: 3, maxReplicas: 3 });
    });

    test('switching between a fixed count and autoscaling changes only the autoscaler: the Deployment renders the same', () => {
      const build = (scaling: Partial<MicroserviceProps>) => {
        const { context } = setup();
        new Microservice(context, 'api', props(scaling));
        const manifests = objects(context);
        return { deployment: find(manifests, 'Deployment', 'api'), hpa: find(manifests, 'HorizontalPodAutoscaler', 'api') };
      };

      const fixed = build({ replicas: 6 });
      const scaled = build({ minReplicas: 2, maxReplicas: 10 });

      expect(scaled.deployment.spec).toEqual(fixed.deployment.spec);
      expect(fixed.deployment.spec).not.toHaveProperty('replicas');
      expect([fixed.hpa.spec.minReplicas, fixed.hpa.spec.maxReplicas]).toEqual([6, 6]);
      expect([scaled.hpa.spec.minReplicas, scaled.hpa.spec.maxReplicas]).toEqual([2, 10]);
    });

    test('an autoscaled service has no fixed count, and its autoscaler needs no exemption', () => {
      const { context } = setup();

      expect(new Microservice(context, 'api', props()).replicas).toBeUndefined();
      expect(find(objects(context), 'HorizontalPodAutoscaler', 'api').metadata.annotations).toBeUndefined();
    });

    test.each([
      ['minReplicas', { minReplicas: 1 }, 1],
      ['maxReplicas', { maxReplicas: 3 }, 3],
      ['targetCpuUtilization', { targetCpuUtilization: 50 }, 50],
    ])('fails when a singleton is given HPA options (%s)', (prop, extra, value) => {
      const { context } = setup();

      expect(() => new Microservice(context, 'cache', props({ replicas: 1, ...extra })))
        .toThrow(new RegExp(`^catalog/cache: '${prop}' \\(${value}\\) must not be set together with 'replicas' \\(1\\): a fixed replica count does not scale \\(its autoscaler holds minReplicas = maxReplicas\\); remove ${prop}, or remove replicas and let the autoscaler scale between minReplicas and maxReplicas$`));
    });

    test('fails when equal minReplicas and maxReplicas are given a CPU target', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'api', props({ minReplicas: 2, maxReplicas: 2, targetCpuUtilization: 60 })))
        .toThrow(/^catalog\/api: 'targetCpuUtilization' \(60\) must not be set when 'minReplicas' equals 'maxReplicas' \(2\): a fixed replica count does not scale on CPU; remove targetCpuUtilization, or raise maxReplicas above minReplicas$/);
    });

    test('fails when replicas is 0', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'cache', props({ replicas: 0 })))
        .toThrow(/^catalog\/cache: 'replicas' \(0\) must be a whole number between 1 and 10000; run at least 1 replica$/);
    });

    test('fails when the replicas are more than the quota holds', () => {
      const { context } = setup({ quota: { pods: 10 } });

      new Microservice(context, 'cache', props({ replicas: 10 }));

      expect(() => objects(context))
        .toThrow(/catalog: 'quota\.pods' \('10'\) is below the pods the context's services need at maximum scale during a rolling update \(cache 12 pods x 1 = 12\); raise quota\.pods to at least 12/);
    });
  });

  describe('scaling errors', () => {
    test('fails when minReplicas is 0', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ minReplicas: 0, maxReplicas: 2 })))
        .toThrow(/^catalog\/products: 'minReplicas' \(0\) must be a whole number between 1 and 10000; run at least 1 replica \(2 or more for availability\)$/);
    });

    test('fails when minReplicas is not a whole number', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ minReplicas: 2.5, maxReplicas: 5 })))
        .toThrow(/^catalog\/products: 'minReplicas' \(2\.5\) must be a whole number between 1 and 10000/);
    });

    test('fails when maxReplicas is below minReplicas', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ maxReplicas: 1 })))
        .toThrow(/^catalog\/products: 'maxReplicas' \(1\) must be at least 'minReplicas' \(2\); raise maxReplicas or lower minReplicas$/);
    });

    test.each([0, 101])('fails when targetCpuUtilization is %d', value => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ targetCpuUtilization: value })))
        .toThrow(new RegExp(`^catalog/products: 'targetCpuUtilization' \\(${value}\\) must be a whole number between 1 and 100; use a percentage of the CPU request, such as 70$`));
    });

    test('fails when maxSurge is 0', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ maxSurge: 0 })))
        .toThrow(/^catalog\/products: 'maxSurge' \(0\) must be a whole number between 1 and 10000; allow at least 1 extra pod, since pods are never taken below the desired count, or use UpdateStrategy.REPLACE or RECREATE$/);
    });

    test.each([2, 3])('fails when DisruptionBudget.minAvailable(%d) is not below minReplicas (2), blocking every eviction', count => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ disruptionBudget: DisruptionBudget.minAvailable(count) })))
        .toThrow(new RegExp(`^catalog/products: 'disruptionBudget\\.minAvailable' \\(${count}\\) must be below 'minReplicas' \\(2\\), or the budget blocks every eviction at minimum scale and node drains hang; use DisruptionBudget\\.minAvailable\\(1\\), DisruptionBudget\\.maxUnavailable\\(1\\), or raise minReplicas$`));
    });

    test('fails when DisruptionBudget.minAvailable(1) meets a single replica', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ minReplicas: 1, disruptionBudget: DisruptionBudget.minAvailable(1) })))
        .toThrow(/^catalog\/products: 'disruptionBudget\.minAvailable' \(1\) must be below 'minReplicas' \(1\).*; use DisruptionBudget\.minAvailable\(0\), DisruptionBudget\.maxUnavailable\(1\), or raise minReplicas$/);
    });

    test('fails when DisruptionBudget.maxUnavailable is 0', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ disruptionBudget: DisruptionBudget.maxUnavailable(0) })))
        .toThrow(/^catalog\/products: 'disruptionBudget\.maxUnavailable' \(0\) must be at least 1, or the budget blocks every eviction and node drains hang; use DisruptionBudget\.maxUnavailable\(1\)$/);
    });

    test.each([3, 4])('fails when DisruptionBudget.maxUnavailable(%d) is not below minReplicas (3)', count => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ minReplicas: 3, disruptionBudget: DisruptionBudget.maxUnavailable(count) })))
        .toThrow(new RegExp(`^catalog/products: 'disruptionBudget\\.maxUnavailable' \\(${count}\\) must be below 'minReplicas' \\(3\\), or a drain may take every pod at once; use DisruptionBudget\\.maxUnavailable\\(2\\) or raise minReplicas$`));
    });

    test('fails when the priority tier belongs to another platform', () => {
      const { app, context } = setup();
      const other = new Platform(app, 'wholesale');
      const bulk = other.addPriorityTier('bulk', { value: 500, preempting: false });

      expect(() => new Microservice(context, 'products', props({ priority: bulk })))
        .toThrow(/^catalog\/products: 'priority' \('bulk'\) must be a tier of platform 'shop' \(critical, standard, batch\); use a built-in PriorityTier or one returned by platform\.addPriorityTier\(\)$/);
      expect(context.services).toEqual([]);
    });

    test('fails when the id is one of the objects the context renders itself', () => {
      const { context } = setup();
      expect(() => new Microservice(context, 'Resource', props()))
        .toThrow(/^catalog\/Resource: 'id' \('Resource'\) must not be the id of an object the bounded context renders itself; rename the microservice$/);
    });
  });
});
