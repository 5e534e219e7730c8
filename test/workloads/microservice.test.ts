import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { BackingService, BoundedContext, Image, Microservice, Port, PreStopSleep, PriorityTier, Probe } from '../../lib';
import { find, Manifest, objects, setup } from '../_helpers';
import { container, deployment, DIGEST, props } from './_microservice';

describe('Microservice', () => {
  describe('defaults', () => {
    test('runs in the standard priority tier', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props());

      expect(products.priority).toBe(PriorityTier.STANDARD);
      const pod = deployment(context, 'products').spec.template;
      expect(pod.spec.priorityClassName).toEqual('shop-standard');
      expect(pod.metadata.labels['cdk8s-microservices.io/priority-tier']).toEqual('standard');
    });

    test('runs in the tier given, including a custom one with its documented defaults', () => {
      const { platform, context } = setup();
      const realtime = platform.addPriorityTier('realtime', { value: 50000 });

      const products = new Microservice(context, 'products', props({ priority: PriorityTier.CRITICAL }));
      const quotes = new Microservice(context, 'quotes', props({ priority: realtime }));

      expect(products.priority).toBe(PriorityTier.CRITICAL);
      expect(quotes.priority).toBe(realtime);
      expect(realtime.preempting).toBe(true);
      expect(realtime.description).toEqual('realtime tier of the platform');
      expect(find(objects(platform), 'PriorityClass', 'shop-realtime')).toMatchObject({
        value: 50000,
        globalDefault: false,
        preemptionPolicy: 'PreemptLowerPriority',
        description: 'realtime tier of the platform',
      });
      expect(deployment(context, 'products').spec.template.spec.priorityClassName).toEqual('shop-critical');
      expect(deployment(context, 'quotes').spec.template.spec.priorityClassName).toEqual('shop-realtime');
    });

    test('labels itself a backend, versioned by the image tag', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props());

      expect(products.component).toEqual('backend');
      expect(products.version).toEqual('1.8.2');
      for (const m of objects(context).filter(o => o.metadata.name === 'products')) {
        expect(m.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'backend', 'app.kubernetes.io/version': '1.8.2' });
      }
    });

    test('takes the version from the first 12 hex digits of a digest', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props({ image: Image.fromDigest('ghcr.io/acme/products', DIGEST) }));

      expect(products.version).toEqual('0f3c5a1b2c3d');
      const d = deployment(context, 'products');
      expect(d.metadata.labels['app.kubernetes.io/version']).toEqual('0f3c5a1b2c3d');
      expect(d.spec.template.metadata.labels['app.kubernetes.io/version']).toEqual('0f3c5a1b2c3d');
      expect(d.spec.template.spec.containers[0].image).toEqual(`ghcr.io/acme/products@${DIGEST}`);
    });

    test('uses the component and version given', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props({ component: 'api', version: '2024.06-rc1' }));

      expect(products.component).toEqual('api');
      expect(products.version).toEqual('2024.06-rc1');
      expect(deployment(context, 'products').spec.template.metadata.labels).toMatchObject({
        'app.kubernetes.io/component': 'api',
        'app.kubernetes.io/version': '2024.06-rc1',
      });
    });

    test('runs as user and group 10001, which also owns the volumes', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props());

      expect(products.runAsUser).toEqual(10001);
      expect(products.runAsGroup).toEqual(10001);
      const pod = deployment(context, 'products').spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 });
      expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: 10001, runAsGroup: 10001 });
    });

    test('runs as the user and group given', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ runAsUser: 20000, runAsGroup: 30000 }));

      const pod = deployment(context, 'products').spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsUser: 20000, runAsGroup: 30000, fsGroup: 30000 });
      expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: 20000, runAsGroup: 30000 });
    });

    test('shuts down within 30 seconds, sleeping 5 seconds before SIGTERM', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props());

      expect(products.terminationGracePeriod.toSeconds()).toEqual(30);
      expect(products.preStopDelay.toSeconds()).toEqual(5);
      expect(deployment(context, 'products').spec.template.spec.terminationGracePeriodSeconds).toEqual(30);
      expect(products.preStopSleep).toBe(PreStopSleep.AUTO);
      expect(products.nativePreStopSleep).toBe(true);
      expect(container(context, 'products').lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    });

    test('renders the shutdown timing given', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ terminationGracePeriod: Duration.seconds(60), preStopDelay: Duration.seconds(15) }));

      expect(deployment(context, 'products').spec.template.spec.terminationGracePeriodSeconds).toEqual(60);
      expect(container(context, 'products').lifecycle).toEqual({ preStop: { sleep: { seconds: 15 } } });
    });

    test('renders no preStop hook when preStopDelay is zero', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props({ preStopDelay: Duration.seconds(0) }));

      expect(products.preStopDelay.toSeconds()).toEqual(0);
      expect(container(context, 'products')).not.toHaveProperty('lifecycle');
    });

    test('mounts a 64Mi emptyDir at /tmp', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props());

      expect(products.tmpSize.toMebibytes()).toEqual(64);
      const pod = deployment(context, 'products').spec.template.spec;
      expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
      expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    });

    test('sizes /tmp as told', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ tmpSize: Size.mebibytes(256) }));

      expect(deployment(context, 'products').spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    });

    test('has no ports, no Service and no env unless given', () => {
      const { context } = setup();

      const worker = new Microservice(context, 'worker', props({ ports: undefined, withoutProbes: 'consumes a queue and serves nothing', readiness: undefined, liveness: undefined }));

      expect(worker.ports).toEqual([]);
      expect(worker.env).toEqual({});
      const manifests = objects(context);
      expect(manifests.filter(m => m.kind === 'Service')).toEqual([]);
      const c = find(manifests, 'Deployment', 'worker').spec.template.spec.containers[0];
      expect(c).not.toHaveProperty('ports');
      expect(c.env).toBeUndefined();
      expect(c).not.toHaveProperty('command');
      expect(c).not.toHaveProperty('args');
    });

    test('renders the command and args given', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ command: ['/app/server'], args: ['--port', '8080'] }));

      expect(container(context, 'products')).toMatchObject({ command: ['/app/server'], args: ['--port', '8080'] });
    });
  });

  describe.each([
    ['an HTTP service', 'products', props()],
    ['a gRPC service in another tier, with its own identity', 'pricing', props({
      ports: [Port.grpc(9090, { servicePort: 443 })],
      readiness: Probe.grpc(),
      liveness: Probe.tcp(),
      priority: PriorityTier.CRITICAL,
      runAsUser: 20000,
      runAsGroup: 20000,
      minReplicas: 3,
    })],
    ['a worker without ports or probes', 'indexer', props({ ports: [], readiness: undefined, liveness: undefined, withoutProbes: 'consumes a queue and serves nothing' })],
  ])('security and scheduling of %s', (_label, name, serviceProps) => {
    const selector = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
    let manifests: Manifest[];
    let d: Manifest;
    let pod: Manifest;
    let c: Manifest;

    beforeEach(() => {
      const { context } = setup();
      new Microservice(context, name, serviceProps);
      manifests = objects(context);
      d = find(manifests, 'Deployment', name);
      pod = d.spec.template.spec;
      c = pod.containers[0];
    });

    test('runs as non-root with RuntimeDefault seccomp on the pod', () => {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThanOrEqual(10000);
    });

    test('locks the container down', () => {
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.securityContext.capabilities).not.toHaveProperty('add');
    });

    test('mounts no service account token and uses its own ServiceAccount', () => {
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toEqual(name);
      expect(find(manifests, 'ServiceAccount', name)).toMatchObject({ automountServiceAccountToken: false, metadata: { namespace: 'catalog' } });
    });

    test('injects no service links and always pulls the image', () => {
      expect(pod.enableServiceLinks).toBe(false);
      expect(c.imagePullPolicy).toEqual('Always');
      expect(c.name).toEqual(name);
    });

    test('leaves the replica count to the autoscaler', () => {
      expect(d.spec).not.toHaveProperty('replicas');
      expect(find(manifests, 'HorizontalPodAutoscaler', name).spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      // and says why to Polaris, which wants spec.replicas set
      expect(JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress'])).toContainEqual({
        tool: 'polaris', check: 'deploymentMissingReplicas', reason: expect.stringMatching(/^the HorizontalPodAutoscaler owns the replica count/),
      });
    });

    test('spreads over zones (best effort) and nodes (strictly), and prefers distinct nodes', () => {
      expect(pod.topologySpreadConstraints).toEqual([
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector }, matchLabelKeys: ['pod-template-hash'], nodeTaintsPolicy: 'Honor' },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selector }, matchLabelKeys: ['pod-template-hash'], nodeTaintsPolicy: 'Honor' },
      ]);
      expect(pod.affinity).toEqual({
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [{
            weight: 100,
            podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } },
          }],
        },
      });
    });

    test('selects its pods by name and instance only; its NetworkPolicy by the instance alone', () => {
      expect(d.spec.selector).toEqual({ matchLabels: selector });
      expect(find(manifests, 'PodDisruptionBudget', name).spec.selector).toEqual({ matchLabels: selector });
      // exactly one pod label matched: what Polaris' missingNetworkPolicy asks for
      expect(find(manifests, 'NetworkPolicy', name).spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/instance': selector['app.kubernetes.io/instance'] } });
    });

    test('carries the recommended labels on the pod template and on every object', () => {
      const recommended = {
        ...selector,
        'app.kubernetes.io/component': 'backend',
        'app.kubernetes.io/version': '1.8.2',
        'app.kubernetes.io/part-of': 'shop',
        'app.kubernetes.io/managed-by': 'cdk8s',
        'cdk8s-microservices.io/context': 'catalog',
      };
      expect(d.spec.template.metadata.labels).toEqual({ ...recommended, 'cdk8s-microservices.io/priority-tier': serviceProps.priority?.name ?? 'standard' });
      const own = manifests.filter(m => m.metadata.name === name);
      expect(own.map(m => m.kind).sort()).toEqual(
        ['Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget', 'ServiceAccount', ...(serviceProps.ports!.length > 0 ? ['Service'] : [])].sort());
      for (const m of own) {
        expect(m.metadata).toMatchObject({ namespace: 'catalog', labels: recommended });
      }
    });
  });

  describe('withoutProbes', () => {
    test('renders no probes and keeps the reason as an annotation', () => {
      const { context } = setup();

      const worker = new Microservice(context, 'indexer', props({ readiness: undefined, liveness: undefined, withoutProbes: 'batch indexer; progress is monitored by the queue' }));

      expect(worker.withoutProbes).toEqual('batch indexer; progress is monitored by the queue');
      const d = deployment(context, 'indexer');
      expect(d.metadata.annotations).toMatchObject({ 'cdk8s-microservices.io/without-probes': 'batch indexer; progress is monitored by the queue' });
      const suppressed = JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress']);
      expect(suppressed.filter((x: Manifest) => !['deploymentMissingReplicas', 'missingNetworkPolicy'].includes(x.check))).toEqual(
        [['kube-linter', 'no-readiness-probe'], ['kube-linter', 'no-liveness-probe'], ['kube-score', 'pod-probes'], ['polaris', 'readinessProbeMissing'], ['polaris', 'livenessProbeMissing']]
          .map(([tool, check]) => ({ tool, check, reason: 'runs without probes: batch indexer; progress is monitored by the queue' })));
      const c = d.spec.template.spec.containers[0];
      expect(c).not.toHaveProperty('readinessProbe');
      expect(c).not.toHaveProperty('livenessProbe');
      expect(c).not.toHaveProperty('startupProbe');
    });

    test('is unset, with no annotation, when the service has probes', () => {
      const { context } = setup();

      const products = new Microservice(context, 'products', props());
      new Microservice(context, 'reviews', props()).connectTo(products);
      products.addBackingService('DB_URL', BackingService.fromUrl('postgres://db.internal:5432/products', { cidrs: ['10.20.0.0/16'] }));

      expect(products.withoutProbes).toBeUndefined();
      const annotations = deployment(context, 'products').metadata.annotations;
      expect(annotations).not.toHaveProperty('cdk8s-microservices.io/without-probes');
      expect(JSON.parse(annotations['conformance.cdk8s-microservices.io/suppress']).map((x: Manifest) => x.check)).toEqual(['deploymentMissingReplicas']);
    });

    test('fails when readiness and liveness are both missing', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ readiness: undefined, liveness: undefined })))
        .toThrow(/^catalog\/products: 'readiness' \(undefined\) must be set: a service needs readiness and liveness probes so that Kubernetes routes traffic only to ready pods and restarts stuck ones; add readiness and liveness \(for example Probe\.http\('\/ready'\) and Probe\.http\('\/live'\)\), or set withoutProbes to the reason$/);
    });

    test('fails when readiness is missing', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ readiness: undefined })))
        .toThrow(/^catalog\/products: 'readiness' \(undefined\) must be set: a service needs readiness probes .*; add readiness and liveness .*, or set withoutProbes to the reason$/);
    });

    test('fails when liveness is missing', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ liveness: undefined })))
        .toThrow(/^catalog\/products: 'liveness' \(undefined\) must be set: a service needs liveness probes .*; add readiness and liveness .*, or set withoutProbes to the reason$/);
    });

    test.each(['', '   '])('fails when the reason is %j', reason => {
      const { context } = setup();

      expect(() => new Microservice(context, 'indexer', props({ readiness: undefined, liveness: undefined, withoutProbes: reason })))
        .toThrow(new RegExp(`^catalog/indexer: 'withoutProbes' \\('${reason}'\\) must give the reason this service runs without probes; write the reason, or add readiness and liveness probes$`));
    });

    test('fails when set together with probes', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ withoutProbes: 'legacy' })))
        .toThrow(/^catalog\/products: 'withoutProbes' \('legacy'\) must not be set together with readiness or liveness probes; remove withoutProbes, or remove the probes$/);
    });

    test('fails when set together with a readiness probe only', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ liveness: undefined, withoutProbes: 'legacy' })))
        .toThrow(/^catalog\/products: 'withoutProbes' \('legacy'\) must not be set together with readiness or liveness probes/);
    });
  });

  describe('names', () => {
    test.each([
      ['Products', 'products'],
      ['1abc', 'abc'],
      ['a_b', 'a-b'],
      ['a'.repeat(64), 'a'.repeat(63)],
      ['products-', 'products'],
    ])('fails when the name is %j, not a DNS-1035 label', (name, suggestion) => {
      const { context } = setup();

      expect(() => new Microservice(context, name, props()))
        .toThrow(new RegExp(`^catalog/${name}: 'id' \\('${name}'\\) must be a DNS-1035 label \\(it becomes a Service name\\): .*; rename it, for example '${suggestion}'$`));
    });

    test('fails when the name is taken in the context', () => {
      const { context } = setup();
      new Microservice(context, 'products', props());

      expect(() => new Microservice(context, 'products', props()))
        .toThrow(/^catalog\/products: 'id' \('products'\) must be unique in bounded context 'catalog', but a service of that name exists already; rename one of the two$/);
    });

    test('allows the same name in two contexts', () => {
      const { app, platform, context } = setup();
      const orders = new BoundedContext(app, 'orders', { platform, team: 'orders-team' });

      new Microservice(context, 'api', props());
      new Microservice(orders, 'api', props());

      expect(find(objects(context), 'Service', 'api').metadata.namespace).toEqual('catalog');
      expect(find(objects(orders), 'Service', 'api').metadata.namespace).toEqual('orders');
    });

    test('fails when the name is one the context uses itself', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'default-deny', props()))
        .toThrow(/^catalog\/default-deny: 'id' \('default-deny'\) must not be one of the names the context uses itself \(default-deny, allow-dns, deployer\); rename the microservice$/);
    });

    test('fails when the component is not a label value', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ component: 'back end' })))
        .toThrow(/^catalog\/products: 'component' \('back end'\) must be a valid label value: .*; use a shorter or simpler name$/);
    });
  });

  describe('identity and shutdown errors', () => {
    test.each([
      ['runAsUser', { runAsUser: 0 }, 0, 'use a user id of 10000 or more, clear of the host\'s users \\(10001 is the default\\)'],
      ['runAsUser', { runAsUser: 9999 }, 9999, 'use a user id of 10000 or more'],
      ['runAsGroup', { runAsGroup: 1000 }, 1000, 'use a group id of 10000 or more \\(10001 is the default\\)'],
    ])('fails when %s is below 10000 (%j)', (prop, overrides, value, fix) => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props(overrides)))
        .toThrow(new RegExp(`^catalog/products: '${prop}' \\(${value}\\) must be a whole number between 10000 and 2147483647; ${fix}`));
    });

    test.each([30, 45])('fails when preStopDelay (%ds) is not shorter than the grace period (30s)', delay => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ preStopDelay: Duration.seconds(delay) })))
        .toThrow(new RegExp(`^catalog/products: 'preStopDelay' \\('${delay}s'\\) must be a whole number of seconds shorter than 'terminationGracePeriod' \\(30s\\), leaving time to shut down; shorten preStopDelay or lengthen terminationGracePeriod$`));
    });

    test('fails when preStopDelay is not shorter than a short grace period', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ terminationGracePeriod: Duration.seconds(5) })))
        .toThrow(/^catalog\/products: 'preStopDelay' \('5s'\) must be a whole number of seconds shorter than 'terminationGracePeriod' \(5s\)/);
    });

    test('fails when the grace period is zero', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ terminationGracePeriod: Duration.seconds(0), preStopDelay: Duration.seconds(0) })))
        .toThrow(/^catalog\/products: 'terminationGracePeriod' \('0s'\) must be at least 1 second; use Duration\.seconds\(1\) or more$/);
    });

    test('fails when a shutdown time is not a whole number of seconds, naming the nearest ones', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ preStopDelay: Duration.millis(2500) })))
        .toThrow(/^catalog\/products: 'preStopDelay' \('2.5s'\) must be a whole number of seconds \(Kubernetes counts this field in seconds\); use Duration\.seconds\(2\) or Duration\.seconds\(3\)$/);
    });

    test('fails when a CPU amount is negative, naming the prop', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ resources: { cpu: { request: Cpu.millis(-100) } } })))
        .toThrow(/^catalog\/products: 'resources.cpu.request' \('-100m'\) must be a CPU amount of zero or more, in whole millicores/);
    });

    test('fails when a random-looking value sits under a credential-like variable name', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ env: { PAYMENT_API_KEY: 'f3a9c1d27be84e6a' } })))
        .toThrow(/^catalog\/products: 'env.PAYMENT_API_KEY' \('\(value not shown\)'\) looks like a random value under the credential-like name 'PAYMENT_API_KEY'/);
      expect(() => new Microservice(setup().context, 'products', props({ env: { CACHE_KEY_PREFIX: 'products:v1:' } }))).not.toThrow();
    });
  });
});
