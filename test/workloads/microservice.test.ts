import { Duration, Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { BackingService, BoundedContext, DisruptionBudget, Image, Microservice, MicroserviceProps, Platform, Port, PreStopSleep, PriorityTier, Probe } from '../../lib';
import { find, Manifest, objects, resolvedEnv, setup } from '../_helpers';

const DIGEST = 'sha256:0f3c5a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab';

/** Valid props for an HTTP service; a test overrides only what it is about. */
function props(overrides: Partial<MicroserviceProps> = {}): MicroserviceProps {
  return {
    image: Image.fromTag('ghcr.io/acme/products', '1.8.2'),
    ports: [Port.http(8080)],
    readiness: Probe.http('/ready'),
    liveness: Probe.http('/live'),
    ...overrides,
  };
}

function deployment(context: BoundedContext, name: string): Manifest {
  return find(objects(context), 'Deployment', name);
}

function container(context: BoundedContext, name: string): Manifest {
  const containers = deployment(context, name).spec.template.spec.containers;
  expect(containers).toHaveLength(1);
  return containers[0];
}

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

  describe('resources', () => {
    test('default to the context\'s container defaults', () => {
      const { context } = setup();

      new Microservice(context, 'products', props());

      expect(container(context, 'products').resources).toEqual({
        requests: { 'cpu': '100m', 'memory': '256Mi', 'ephemeral-storage': '128Mi' },
        limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
      });
    });

    test('default to the container defaults the context was given', () => {
      const { context } = setup({
        containerLimits: {
          defaultCpuRequest: Cpu.millis(250),
          defaultCpuLimit: Cpu.units(1),
          defaultMemoryRequest: Size.mebibytes(128),
          defaultMemoryLimit: Size.mebibytes(384),
          defaultEphemeralStorageRequest: Size.mebibytes(64),
          defaultEphemeralStorageLimit: Size.gibibytes(1),
        },
      });

      new Microservice(context, 'products', props());

      expect(container(context, 'products').resources).toEqual({
        requests: { 'cpu': '250m', 'memory': '128Mi', 'ephemeral-storage': '64Mi' },
        limits: { 'cpu': '1', 'memory': '384Mi', 'ephemeral-storage': '1Gi' },
      });
    });

    test('render the requests and limits given', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({
        resources: {
          cpu: { request: Cpu.millis(200), limit: Cpu.millis(1500) },
          memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
          ephemeralStorage: { request: Size.mebibytes(256), limit: Size.gibibytes(1) },
        },
      }));

      expect(container(context, 'products').resources).toEqual({
        requests: { 'cpu': '200m', 'memory': '512Mi', 'ephemeral-storage': '256Mi' },
        limits: { 'cpu': '1500m', 'memory': '1Gi', 'ephemeral-storage': '1Gi' },
      });
    });

    test('a missing request defaults to the context default, capped at the limit given', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({
        resources: {
          cpu: { limit: Cpu.millis(50) },
          memory: { limit: Size.mebibytes(128) },
          ephemeralStorage: { limit: Size.mebibytes(100) },
        },
        tmpSize: Size.mebibytes(32),
      }));

      expect(container(context, 'products').resources.requests).toEqual({ 'cpu': '50m', 'memory': '128Mi', 'ephemeral-storage': '100Mi' });
    });

    test('a missing request defaults to the context default when the limit given is higher', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ resources: { cpu: { limit: Cpu.units(1) }, memory: { limit: Size.gibibytes(1) } } }));

      expect(container(context, 'products').resources).toMatchObject({
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { cpu: '1', memory: '1Gi' },
      });
    });

    test('a missing limit defaults to the context default, raised to the request given', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({
        resources: {
          cpu: { request: Cpu.units(1) },
          memory: { request: Size.mebibytes(768) },
          ephemeralStorage: { request: Size.gibibytes(1) },
        },
      }));

      expect(container(context, 'products').resources.limits).toEqual({ 'cpu': '1', 'memory': '768Mi', 'ephemeral-storage': '1Gi' });
    });

    test('a missing limit defaults to the context default when the request given is lower', () => {
      const { context } = setup();

      new Microservice(context, 'products', props({ resources: { cpu: { request: Cpu.millis(50) } } }));

      expect(container(context, 'products').resources).toMatchObject({ requests: { cpu: '50m' }, limits: { cpu: '500m' } });
    });

    test.each([
      ['cpu', { cpu: { request: Cpu.units(1), limit: Cpu.millis(500) } }, /^catalog\/products: 'resources\.cpu\.request' \('1'\) must not exceed resources\.cpu\.limit \(500m\); lower the request or raise the limit to at least 1$/],
      ['memory', { memory: { request: Size.gibibytes(1), limit: Size.mebibytes(512) } }, /^catalog\/products: 'resources\.memory\.request' \('1Gi'\) must not exceed resources\.memory\.limit \(512Mi\); lower the request or raise the limit to at least 1Gi$/],
      ['ephemeralStorage', { ephemeralStorage: { request: Size.gibibytes(1), limit: Size.mebibytes(512) } }, /^catalog\/products: 'resources\.ephemeralStorage\.request' \('1Gi'\) must not exceed resources\.ephemeralStorage\.limit \(512Mi\); lower the request or raise the limit to at least 1Gi$/],
    ])('fails when the %s request exceeds its limit', (_name, resources, message) => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ resources }))).toThrow(message);
    });

    test.each([
      ['cpu', { cpu: { limit: Cpu.units(3) } }, /^catalog\/products: 'resources\.cpu\.limit' \('3'\) must not exceed the bounded context's containerLimits\.maxCpu \(2\), or admission rejects the pods; lower the limit, or raise containerLimits\.maxCpu of catalog$/],
      ['memory', { memory: { limit: Size.gibibytes(8) } }, /^catalog\/products: 'resources\.memory\.limit' \('8Gi'\) must not exceed the bounded context's containerLimits\.maxMemory \(4Gi\), or admission rejects the pods; lower the limit, or raise containerLimits\.maxMemory of catalog$/],
      ['ephemeralStorage', { ephemeralStorage: { limit: Size.gibibytes(3) } }, /^catalog\/products: 'resources\.ephemeralStorage\.limit' \('3Gi'\) must not exceed the bounded context's containerLimits\.maxEphemeralStorage \(2Gi\), or admission rejects the pods; lower the limit, or raise containerLimits\.maxEphemeralStorage of catalog$/],
    ])('fails when the %s limit exceeds the context\'s maximum', (_name, resources, message) => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ resources }))).toThrow(message);
    });

    test('fails when the limit exceeds a maximum the context was given', () => {
      const { context } = setup({ containerLimits: { maxCpu: Cpu.units(1) } });

      expect(() => new Microservice(context, 'products', props({ resources: { cpu: { limit: Cpu.millis(1500) } } })))
        .toThrow(/^catalog\/products: 'resources\.cpu\.limit' \('1500m'\) must not exceed the bounded context's containerLimits\.maxCpu \(1\)/);
    });

    test('fails when a request is zero', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ resources: { memory: { request: Size.mebibytes(0) } } })))
        .toThrow(/^catalog\/products: 'resources\.memory\.request' \('0'\) must be greater than zero; request what the service needs at rest$/);
    });

    test('fails when tmpSize exceeds the ephemeral storage limit', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'products', props({ tmpSize: Size.gibibytes(1) })))
        .toThrow(/^catalog\/products: 'tmpSize' \('1Gi'\) must fit in resources\.ephemeralStorage\.limit \(512Mi\); shrink tmpSize or raise the ephemeral storage limit$/);
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

    test('connectTo a non-first port names the variable <CALLEE>_<PORT>_URL and gives a gRPC target', () => {
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
      expect(caller.connectTo(callee, { port: 'grpc-api' }).envVar).toEqual('PRODUCT_SEARCH_GRPC_API_URL');
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
        .toThrow(/^orders\/checkout: 'env' \('UPSTREAM'\) must be set once, but is set twice/);
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

  describe('fixed replicas', () => {
    test('replicas renders spec.replicas, no autoscaler, and a budget that lets a node drain', () => {
      const { context } = setup();

      const cache = new Microservice(context, 'cache', props({ replicas: 1 }));

      expect(cache.replicas).toEqual(1);
      expect([cache.minReplicas, cache.maxReplicas]).toEqual([1, 1]);
      const manifests = objects(context);
      const d = find(manifests, 'Deployment', 'cache');
      expect(d.spec.replicas).toEqual(1);
      expect(manifests.filter(m => m.kind === 'HorizontalPodAutoscaler')).toEqual([]);
      expect(find(manifests, 'PodDisruptionBudget', 'cache').spec.maxUnavailable).toEqual(1);
      expect(JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress'])).toContainEqual({
        tool: 'polaris', check: 'deploymentMissingReplicas',
        reason: 'a singleton by design (replicas: 1): the service must run as one instance; its disruption budget still lets a node drain',
      });
    });

    test('more than one fixed replica needs no exemption', () => {
      const { context } = setup();

      new Microservice(context, 'cache', props({ replicas: 3 }));

      const d = find(objects(context), 'Deployment', 'cache');
      expect(d.spec.replicas).toEqual(3);
      expect(d.metadata.annotations?.['polaris.fairwinds.com/deploymentMissingReplicas-exempt']).toBeUndefined();
    });

    test('equal minReplicas and maxReplicas mean a fixed count', () => {
      const { context } = setup();

      const api = new Microservice(context, 'api', props({ minReplicas: 3, maxReplicas: 3 }));

      expect(api.replicas).toEqual(3);
      const manifests = objects(context);
      expect(find(manifests, 'Deployment', 'api').spec.replicas).toEqual(3);
      expect(manifests.filter(m => m.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    });

    test('an autoscaled service has no fixed count', () => {
      const { context } = setup();

      expect(new Microservice(context, 'api', props()).replicas).toBeUndefined();
    });

    test.each([
      ['minReplicas', { minReplicas: 1 }, 1],
      ['maxReplicas', { maxReplicas: 3 }, 3],
      ['targetCpuUtilization', { targetCpuUtilization: 50 }, 50],
    ])('fails when a singleton is given HPA options (%s)', (prop, extra, value) => {
      const { context } = setup();

      expect(() => new Microservice(context, 'cache', props({ replicas: 1, ...extra })))
        .toThrow(new RegExp(`^catalog/cache: '${prop}' \\(${value}\\) must not be set together with 'replicas' \\(1\\): a fixed replica count has no autoscaler; remove ${prop}, or remove replicas and let the autoscaler scale between minReplicas and maxReplicas$`));
    });

    test('fails when equal minReplicas and maxReplicas are given a CPU target', () => {
      const { context } = setup();

      expect(() => new Microservice(context, 'api', props({ minReplicas: 2, maxReplicas: 2, targetCpuUtilization: 60 })))
        .toThrow(/^catalog\/api: 'targetCpuUtilization' \(60\) must not be set when 'minReplicas' equals 'maxReplicas' \(2\): a fixed replica count has no autoscaler; remove targetCpuUtilization, or raise maxReplicas above minReplicas$/);
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
        .toThrow(/^catalog\/products: 'maxSurge' \(0\) must be a whole number between 1 and 10000; allow at least 1 extra pod, since pods are never taken below the desired count$/);
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

      // the delay is the library's default: the message says so, and how to set it
      expect(() => new Microservice(context, 'products', props({ terminationGracePeriod: Duration.seconds(5) })))
        .toThrow(/^catalog\/products: 'preStopDelay' \('5s'\) \(the library's default for a service, not set here\) must be a whole number of seconds shorter than 'terminationGracePeriod' \(5s\), leaving time to shut down; set preStopDelay yourself, for example Duration\.seconds\(3\), or lengthen terminationGracePeriod$/);
      expect(() => new Microservice(context, 'set', props({ terminationGracePeriod: Duration.seconds(5), preStopDelay: Duration.seconds(5) })))
        .toThrow(/^catalog\/set: 'preStopDelay' \('5s'\) must be a whole number of seconds shorter than 'terminationGracePeriod' \(5s\), leaving time to shut down; shorten preStopDelay or lengthen terminationGracePeriod$/);
      expect(() => new Microservice(context, 'shorter', props({ terminationGracePeriod: Duration.seconds(5), preStopDelay: Duration.seconds(3) }))).not.toThrow();
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
