import { Duration } from 'cdk8s';
import { ErrorRatioQuery, GATEWAY_API_PLUGIN, Port, Progression, ProgressionAnalysis, ProgressionStep, Release, UpdateStrategy } from '../../lib';
import { find, objects, thrown } from '../_helpers';
import { NEXT, STABLE, buildRelease, rendered } from './_release';

const ROUTE = 'public-products-https-api-example-com';
const QUERY = 'sum(rate(http_requests_total{service="products",code=~"5.."}[2m])) / sum(rate(http_requests_total{service="products"}[2m]))';
const steps = () => [ProgressionStep.setWeight(10), ProgressionStep.pause(Duration.minutes(5)), ProgressionStep.setWeight(50), ProgressionStep.pauseUntilPromoted()];
const analysis = (extra = {}) => ProgressionAnalysis.errorRatio({ prometheusAddress: 'http://prometheus.monitoring.svc:9090', query: ErrorRatioQuery.promql(QUERY), maxErrorRatio: 0.01, ...extra });
const progressing = (props: object = {}, image = NEXT) => Release.canary({ image, progression: Progression.argoRollouts({ steps: steps(), ...props }) });

describe('a canary that Argo Rollouts moves', () => {
  test('renders a Rollout whose template is the service\'s Deployment, with the canary and stable Services', () => {
    const out = rendered(buildRelease(progressing()));
    const rollout = find(out, 'Rollout', 'products');
    expect(rollout.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(rollout.metadata.namespace).toBe('catalog');
    expect(rollout.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'products', scaleDown: 'onsuccess' });
    expect(rollout.spec.selector).toEqual(find(out, 'Deployment', 'products').spec.selector);
    expect(rollout.spec.replicas).toBeUndefined();
    expect(rollout.spec.template).toBeUndefined();
    expect(rollout.spec.strategy.canary).toMatchObject({ canaryService: 'products-canary', stableService: 'products-stable', maxSurge: 1, maxUnavailable: 0 });
  });

  test('the steps, in order', () => {
    const out = rendered(buildRelease(progressing({ steps: [...steps(), ProgressionStep.analysis()], analysis: analysis() })));
    expect(find(out, 'Rollout', 'products').spec.strategy.canary.steps).toEqual([
      { setWeight: 10 }, { pause: { duration: '300s' } }, { setWeight: 50 }, { pause: {} },
      { analysis: { templates: [{ templateName: 'products-error-ratio' }] } },
    ]);
  });

  test('the Gateway API plugin moves the HTTPRoute and the GRPCRoute that reach the service, in its namespace', () => {
    const out = rendered(buildRelease(progressing()));
    expect(GATEWAY_API_PLUGIN).toBe('argoproj-labs/gatewayAPI');
    expect(find(out, 'Rollout', 'products').spec.strategy.canary.trafficRouting).toEqual({
      plugins: { 'argoproj-labs/gatewayAPI': { namespace: 'catalog', httpRoutes: [{ name: ROUTE }], grpcRoutes: [{ name: ROUTE }] } },
    });
    expect(find(out, 'HTTPRoute', ROUTE).metadata.namespace).toBe('catalog');
  });

  test('the routes render the weights the plugin leaves at rest: every request on the stable Service', () => {
    const out = rendered(buildRelease(progressing()));
    expect(find(out, 'HTTPRoute', ROUTE).spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'products-stable', port: 8080, weight: 100 }, { group: '', kind: 'Service', name: 'products-canary', port: 8080, weight: 0 }]);
    expect(find(out, 'GRPCRoute', ROUTE).spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'products-stable', port: 9090, weight: 100 }, { group: '', kind: 'Service', name: 'products-canary', port: 9090, weight: 0 }]);
  });

  test('the Deployment is the template: the release\'s image and version, no replicas (the Rollout scales it to zero)', () => {
    const out = rendered(buildRelease(progressing()));
    const d = find(out, 'Deployment', 'products');
    expect(d.spec.template.spec.containers[0].image).toBe(NEXT.reference);
    expect(d.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('1.9.0');
    expect(d.metadata.labels['app.kubernetes.io/version']).toBe('1.9.0');
    expect(d.spec.replicas).toBeUndefined();
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' });
    const suppressed = JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress']);
    for (const check of ['deploymentMissingReplicas', 'deployment-replicas']) {
      // the template's reason alone: the autoscaler does not own this Deployment's count
      expect(suppressed.find((s: any) => s.check === check).reason).toBe("the template of the Argo Rollouts workload 'products', which runs the pods, "
        + 'scales this Deployment to zero and owns its count; spec.replicas is left out so that an apply never scales it back up');
    }
    const hpa = JSON.parse(find(out, 'HorizontalPodAutoscaler', 'products').metadata.annotations['conformance.cdk8s-microservices.io/suppress']);
    expect(hpa).toEqual([{ tool: 'kube-score', check: 'horizontalpodautoscaler-has-target', reason: "scales the Rollout 'products' (argoproj.io/v1alpha1) rendered beside it, a kind kube-score does not read" }]);
  });

  test('nothing the controller makes: no canary Deployment, autoscaler or budget', () => {
    const out = rendered(buildRelease(progressing()));
    for (const kind of ['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ReplicaSet']) {
      expect(out.filter(m => m.kind === kind && m.metadata.name === 'products-canary')).toEqual([]);
    }
    expect(out.filter(m => m.kind === 'AnalysisTemplate')).toEqual([]);
  });

  test('the service\'s autoscaler scales the Rollout, and its budget selects the pods of both versions', () => {
    const out = rendered(buildRelease(progressing()));
    const hpa = find(out, 'HorizontalPodAutoscaler', 'products');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'products' });
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    expect(find(out, 'PodDisruptionBudget', 'products').spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' });
  });

  test('both track Services select the Rollout\'s pods (the controller adds its pod-template-hash); callers keep the Service name', () => {
    const out = rendered(buildRelease(progressing()));
    const stablePods = { 'app.kubernetes.io/name': 'products', 'app.kubernetes.io/instance': 'products' };
    expect(find(out, 'Service', 'products-stable').spec.selector).toEqual(stablePods);
    expect(find(out, 'Service', 'products-canary').spec.selector).toEqual(stablePods);
    expect(find(out, 'Service', 'products').spec.selector).toEqual({ 'app.kubernetes.io/name': 'products' });
  });

  test('the error-ratio AnalysisTemplate, with the documented defaults', () => {
    const out = rendered(buildRelease(progressing({ steps: [ProgressionStep.setWeight(20), ProgressionStep.analysis()], analysis: analysis() })));
    const template = find(out, 'AnalysisTemplate', 'products-error-ratio');
    expect(template.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(template.metadata.namespace).toBe('catalog');
    expect(template.spec.metrics).toEqual([{
      name: 'error-ratio', interval: '60s', count: 5, failureLimit: 0, successCondition: 'result[0] <= 0.01',
      provider: { prometheus: { address: 'http://prometheus.monitoring.svc:9090', query: QUERY } },
    }]);
  });

  test('the analysis as told', () => {
    const out = rendered(buildRelease(progressing({ steps: [ProgressionStep.analysis()], analysis: analysis({ interval: Duration.seconds(30), count: 10, failureLimit: 2, maxErrorRatio: 0.05 }) })));
    expect(find(out, 'AnalysisTemplate', 'products-error-ratio').spec.metrics[0]).toMatchObject({ interval: '30s', count: 10, failureLimit: 2, successCondition: 'result[0] <= 0.05' });
  });

  test('adopting the running version, or holding it at rest, may run the stable image', () => {
    const out = rendered(buildRelease(progressing({}, STABLE)));
    expect(find(out, 'Deployment', 'products').spec.template.spec.containers[0].image).toBe(STABLE.reference);
    expect(find(out, 'Rollout', 'products').spec.workloadRef.name).toBe('products');
  });

  test('a REPLACE service\'s Rollout replaces one pod at a time', () => {
    const out = rendered(buildRelease(progressing(), { props: { updateStrategy: UpdateStrategy.REPLACE } }));
    expect(find(out, 'Rollout', 'products').spec.strategy.canary).toMatchObject({ maxSurge: 0, maxUnavailable: 1 });
  });

  test('the quota check counts the canary at the service\'s maximum, as without a controller', () => {
    const b = buildRelease(progressing(), { contextProps: { quota: { pods: 11 } } });
    expect(() => objects(b.context)).toThrow(/'quota.pods'/);
  });

  describe('bad input', () => {
    const fails = (release: () => unknown) => thrown(() => buildRelease(release() as any));

    test('fails when a weight is set beside the progression', () => {
      const e = fails(() => Release.canary({ image: NEXT, weight: 10, progression: Progression.argoRollouts({ steps: steps() }) }));
      expect(e.message).toBe("catalog/products: 'release.weight' (10) must not be set with 'release.progression': Argo Rollouts sets the weight by its steps; remove weight, or remove progression and move the weight in code");
      expect(e.code).toBe('CONFLICT');
    });

    test('fails when a canary has neither weight nor progression', () => {
      expect(fails(() => Release.canary({ image: NEXT })).prop).toBe('release.weight');
    });

    test.each([['blueGreen', () => Release.blueGreen({ image: NEXT, active: require('../../lib').Colour.BLUE, progression: Progression.argoRollouts({ steps: steps() }) } as any)],
      ['abTest', () => Release.abTest({ image: NEXT, matches: [require('../../lib').VariantMatch.header('X-V', 'b')], progression: Progression.argoRollouts({ steps: steps() }) } as any)]])(
      'fails when a %s release has a progression', (_name, release) => {
        const e = fails(release);
        expect(e.prop).toBe('release.progression');
        expect(e.message).toMatch(/must not be set on a (blue-green|a\/b) release: an automated progression moves a canary's weight by steps; use Release.canary\(\{ image, progression \}\)/);
      });

    test.each([[[ProgressionStep.setWeight(50), ProgressionStep.setWeight(20)], 'release.progression.steps[1]', /'release.progression.steps\[1\]' \('setWeight\(20\)'\) must raise the weight above the step before's \(50\)/],
      [[ProgressionStep.setWeight(10), ProgressionStep.setWeight(10)], 'release.progression.steps[1]', /must raise the weight above the step before's \(10\)/],
      [[ProgressionStep.setWeight(0)], 'release.progression.steps[0]', /must be a whole number between 1 and 100/],
      [[ProgressionStep.setWeight(101)], 'release.progression.steps[0]', /must be a whole number between 1 and 100/],
      [[ProgressionStep.setWeight(12.5)], 'release.progression.steps[0]', /must be a whole number between 1 and 100/],
      [[ProgressionStep.pause(Duration.seconds(0))], 'release.progression.steps[0]', /\('0s'\) must be a positive duration; use ProgressionStep.pause\(Duration.minutes\(n\)\), or ProgressionStep.pauseUntilPromoted\(\)/],
      [[ProgressionStep.pause(Duration.millis(1500))], 'release.progression.steps[0]', /must be a whole number of seconds/],
      [[ProgressionStep.pause('5m' as any)], 'release.progression.steps[0]', /must be a Duration/],
      [['setWeight: 10' as any], 'release.progression.steps[0]', /must be a ProgressionStep/],
      [[], 'release.progression.steps', /must hold at least one step/],
      [[ProgressionStep.analysis()], 'release.progression.steps[0]', /must have an analysis to run: 'release.progression.analysis' is not set/],
    ])('fails on the steps %#', (s, prop, message) => {
      const e = fails(() => Release.canary({ image: NEXT, progression: Progression.argoRollouts({ steps: s as ProgressionStep[] }) }));
      expect(e.prop).toBe(prop);
      expect(e.message).toMatch(message);
    });

    test.each([
      [{ query: undefined }, 'release.progression.analysis.query', /must be set; give the query of the service's error ratio/],
      [{ query: ErrorRatioQuery.promql('  ') }, 'release.progression.analysis.query', /must not be empty/],
      [{ query: QUERY }, 'release.progression.analysis.query', /must be an ErrorRatioQuery/],
      [{ maxErrorRatio: 1 }, 'release.progression.analysis.maxErrorRatio', /must be above 0 and below 1 \(a ratio, not a percent\)/],
      [{ maxErrorRatio: 0 }, 'release.progression.analysis.maxErrorRatio', /must be above 0 and below 1/],
      [{ prometheusAddress: 'prometheus:9090' }, 'release.progression.analysis.prometheusAddress', /must be an http:\/\/ or https:\/\/ URL/],
      [{ failureLimit: 5 }, 'release.progression.analysis.failureLimit', /must be a whole number between 0 and 4; tolerate fewer failed measurements than 'count' \(5\)/],
      [{ count: 0 }, 'release.progression.analysis.count', /must be a whole number between 1 and 1000/],
      [{ interval: Duration.seconds(0) }, 'release.progression.analysis.interval', /must be at least 1 second/],
    ])('fails on the analysis %#', (extra, prop, message) => {
      const e = fails(() => progressing({ steps: [ProgressionStep.analysis()], analysis: analysis(extra) }));
      expect(e.prop).toBe(prop);
      expect(e.message).toMatch(message);
    });

    test('fails when the canary sizes itself beside the progression', () => {
      const e = fails(() => Release.canary({ image: NEXT, maxReplicas: 3, progression: Progression.argoRollouts({ steps: steps() }) }));
      expect(e.prop).toBe('release.maxReplicas');
      expect(e.message).toMatch(/sizes the canary by the weight of its step/);
    });

    test('fails on a service that recreates its pods', () => {
      const e = thrown(() => buildRelease(progressing(), { props: { updateStrategy: UpdateStrategy.RECREATE } }));
      expect(e.message).toMatch(/'release.progression' \('Argo Rollouts'\) must not move a service whose updateStrategy is UpdateStrategy.RECREATE/);
    });

    test('fails when progression is not a Progression', () => {
      const e = fails(() => Release.canary({ image: NEXT, progression: { steps: [] } as any }));
      expect(e.prop).toBe('release.progression');
      expect(e.code).toBe('WRONG_TYPE');
    });

    test('fails when a TCPRoute reaches the service, whose weights the plugin cannot move', () => {
      const b = buildRelease(progressing(), { props: { ports: [Port.http(8080), Port.grpc(9090), Port.tcp(7000)] } });
      b.gateway.addTcpRoute({ service: b.products, port: 'tcp', listenerPort: 7000 });
      const e = thrown(() => objects(b.context));
      expect(e.message).toMatch(/'release.progression' \('TCPRoute public-products-tcp-7000'\) must not be a progression of a service that a TCPRoute reaches: the argoproj-labs\/gatewayAPI plugin drives a TCPRoute through its v1alpha2 API, which Gateway API v1.7.0 no longer serves/);
      expect(e.code).toBe('UNSUPPORTED_BY_IMPLEMENTATION');
    });

    test('fails when no gateway routes the service', () => {
      const b = buildRelease(progressing(), { routed: false });
      expect(thrown(() => objects(b.context)).message).toMatch(/'release' \('canary'\) must be on a service that a gateway routes/);
    });
  });
});

