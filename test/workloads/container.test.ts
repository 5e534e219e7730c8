import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-27';
import { CronJob, CronSchedule, Image, ImagePullPolicy, Port, Probe, Volume } from '../../lib';
import { find, Manifest, microservice, objects, podSpec as pod, setup } from '../_helpers';
import { DIGEST } from './_microservice';

const SHIPPER = Image.fromTag('ghcr.io/acme/log-shipper', '2.1.0');

describe('init containers and sidecars', () => {
  test('an init container runs before the main container with its security, the context\'s resources, its own /tmp, and no probes', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    const warm = products.addInitContainer('warm-cache', { image: Image.fromTag('ghcr.io/acme/warmer', '1.0.0'), args: ['--once'], env: { MODE: 'full' } });

    expect(warm.sidecar).toBe(false);
    expect(warm.imagePullPolicy).toBe(ImagePullPolicy.ALWAYS);
    expect(warm.tmpSize.toMebibytes()).toEqual(64);
    expect(warm.env).toEqual({ MODE: 'full' });
    expect(products.initContainers).toEqual([warm]);
    const spec = pod(objects(context));
    expect(spec.initContainers).toEqual([{
      name: 'warm-cache',
      image: 'ghcr.io/acme/warmer:1.0.0',
      imagePullPolicy: 'Always',
      args: ['--once'],
      env: [{ name: 'MODE', value: 'full' }],
      resources: {
        requests: { 'cpu': '100m', 'memory': '256Mi', 'ephemeral-storage': '128Mi' },
        limits: { 'cpu': '500m', 'memory': '256Mi', 'ephemeral-storage': '512Mi' },
      },
      securityContext: {
        runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, allowPrivilegeEscalation: false, privileged: false,
        readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
      },
      volumeMounts: [{ name: 'tmp-warm-cache', mountPath: '/tmp' }],
    }]);
    expect(spec.volumes).toContainEqual({ name: 'tmp-warm-cache', emptyDir: { sizeLimit: '64Mi' } });
  });

  test('a sidecar is a native sidecar with probes, ports and resources of its own, started in order with the init containers', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    products.addInitContainer('migrate', { image: Image.fromTag('ghcr.io/acme/migrate', '1.0.0') });
    const proxy = products.addSidecar('proxy', {
      image: Image.fromTag('ghcr.io/acme/proxy', '3.4.5'),
      ports: [Port.http(15000, { name: 'proxy-admin' })],
      readiness: Probe.http('/ready', { port: 'proxy-admin' }),
      liveness: Probe.tcp({ port: 'proxy-admin' }),
      resources: { cpu: { request: Cpu.millis(50), limit: Cpu.millis(200) }, memory: { request: Size.mebibytes(64), limit: Size.mebibytes(64) } },
    });

    expect(proxy.sidecar).toBe(true);
    expect(proxy.resources).toEqual({
      cpuRequest: '50m', cpuLimit: '200m', memoryRequest: '64Mi', memoryLimit: '64Mi', ephemeralStorageRequest: '128Mi', ephemeralStorageLimit: '512Mi',
    });
    const init = pod(objects(context)).initContainers;
    expect(init.map((c: Manifest) => c.name)).toEqual(['migrate', 'proxy']);
    expect(init[1]).toMatchObject({
      restartPolicy: 'Always',
      ports: [{ name: 'proxy-admin', containerPort: 15000, protocol: 'TCP' }],
      readinessProbe: { httpGet: { path: '/ready', port: 'proxy-admin', scheme: 'HTTP' } },
      livenessProbe: { tcpSocket: { port: 'proxy-admin' } },
    });
    expect(init[0]).not.toHaveProperty('restartPolicy');
  });

  test('containers share a volume: an init container fills it, the main container reads it, the pod has it once', () => {
    const { context } = setup();
    const products = microservice(context, 'products');
    const assets = Volume.emptyDir('assets', { sizeLimit: Size.mebibytes(100) });

    products.addInitContainer('fetch-assets', { image: Image.fromTag('ghcr.io/acme/assets', '5.0.0') }).addVolume(assets, { mountPath: '/out', writable: true });
    products.addVolume(assets, { mountPath: '/srv/assets' });

    const spec = pod(objects(context));
    expect(spec.volumes.filter((v: Manifest) => v.name === 'assets')).toHaveLength(1);
    expect(spec.initContainers[0].volumeMounts).toEqual([{ name: 'tmp-fetch-assets', mountPath: '/tmp' }, { name: 'assets', mountPath: '/out', readOnly: false }]);
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: 'assets', mountPath: '/srv/assets', readOnly: true });
  });

  test('the quota check counts each pod\'s effective resources: the main container and its sidecars, or the largest init container', () => {
    const { context } = setup({ quota: { cpuRequests: Cpu.millis(1000) } });
    const products = microservice(context, 'products', { replicas: 2, maxSurge: 1 });
    // 4 pods at the peak (2, a surge of 1, 1 terminating) x (100m main + 100m sidecar) = 800m
    products.addSidecar('proxy', { image: Image.fromTag('ghcr.io/acme/proxy', '3.4.5'), withoutProbes: 'a plain TCP forwarder' });
    expect(() => objects(context)).not.toThrow();

    // an init container of 400m, with the 100m sidecar before it: 500m per pod, 2000m in all
    products.addInitContainer('index', { image: Image.fromTag('ghcr.io/acme/indexer', '1.0.0'), resources: { cpu: { request: Cpu.millis(400), limit: Cpu.millis(500) } } });

    expect(() => objects(context)).toThrow(/'quota.cpuRequests' \('1'\) is below the CPU requests the context's services need at maximum scale during a rolling update \(products 4 pods x 500m = 2\)/);
  });

  test('a sidecar with a low user id and a digest pulled IfNotPresent carries kube-score\'s suppressions with its name', () => {
    const { context } = setup();
    const products = microservice(context, 'products');

    products.addSidecar('exporter', {
      image: Image.fromDigest('ghcr.io/acme/exporter', DIGEST), imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT,
      runAsUser: 999, lowUserIdReason: 'the exporter image hard-codes user 999',
      ports: [Port.http(9100, { name: 'metrics' })], readiness: Probe.http('/metrics', { port: 'metrics' }), liveness: Probe.http('/metrics', { port: 'metrics' }),
      identicalProbesReason: 'the exporter serves only /metrics',
    });

    const d = find(objects(context), 'Deployment', 'products');
    expect(d.spec.template.spec.initContainers[0].securityContext.runAsUser).toEqual(999);
    expect(d.metadata.annotations['kube-score/ignore']).toEqual('container-security-context-user-group-id,container-image-pull-policy,pod-probes-identical');
    expect(JSON.parse(d.metadata.annotations['conformance.cdk8s-microservices.io/suppress'])).toEqual(expect.arrayContaining([
      { tool: 'kube-score', check: 'container-security-context-user-group-id', reason: 'container exporter: the exporter image hard-codes user 999' },
      { tool: 'kube-score', check: 'pod-probes-identical', reason: 'sidecar exporter: the exporter serves only /metrics' },
    ]));
  });

  test('a CronJob takes init containers too', () => {
    const { context } = setup();
    const cleanup = new CronJob(context, 'cleanup', { image: Image.fromTag('ghcr.io/acme/cleanup', '1.0.0'), schedule: CronSchedule.DAILY });

    cleanup.addInitContainer('wait-db', { image: Image.fromTag('ghcr.io/acme/wait', '1.0.0') });

    expect(find(objects(context), 'CronJob', 'cleanup').spec.jobTemplate.spec.template.spec.initContainers.map((c: Manifest) => c.name)).toEqual(['wait-db']);
  });

  describe('bad input', () => {
    test.each([
      ['products', /'addInitContainer\(name\)' \('products'\) must be unique among the pod's containers/],
      ['Bad', /'addInitContainer\(name\)' \('Bad'\) must be a DNS-1123 label/],
    ])('fails when an init container is named %s', (name, message) => {
      const { context } = setup();

      expect(() => microservice(context, 'products').addInitContainer(name, { image: SHIPPER })).toThrow(message);
    });

    test('fails when two containers share a name', () => {
      const { context } = setup();
      const products = microservice(context, 'products');
      products.addInitContainer('a', { image: SHIPPER });

      expect(() => products.addSidecar('a', { image: SHIPPER, withoutProbes: 'x' }))
        .toThrow(/^catalog\/products: 'addSidecar\(name\)' \('a'\) must be unique among the pod's containers; name the container after what it does/);
    });

    test.each([
      ['readiness', { readiness: Probe.http('/ready') }, '\'http\''],
      ['withoutProbes', { withoutProbes: 'none' }, '\'none\''],
    ])('fails when an init container is given %s', (prop, extra, value) => {
      const { context } = setup();

      expect(() => microservice(context, 'products').addInitContainer('warm', { image: SHIPPER, ...extra }))
        .toThrow(`catalog/products: 'initContainers[warm].${prop}' (${value}) must not be set on an init container: it runs to completion before the main container starts, so Kubernetes allows no probes on it; remove it, or add the container as a sidecar (addSidecar) if it runs beside the main container`);
    });

    test('fails when an init container is given ports', () => {
      const { context } = setup();

      expect(() => microservice(context, 'products').addInitContainer('warm', { image: SHIPPER, ports: [Port.http(9000)] } as never))
        .toThrow(/^catalog\/products: 'initContainers\[warm\].ports' \(\["http"\]\) must be empty for an init container/);
    });

    test('fails when a sidecar has no probes and no reason, naming the sidecar', () => {
      const { context } = setup();

      expect(() => microservice(context, 'products').addSidecar('proxy', { image: SHIPPER }))
        .toThrow(/^catalog\/products: 'sidecars\[proxy\].readiness' \(undefined\) must be set: a sidecar needs readiness and liveness probes/);
    });

    test('fails when a sidecar\'s port repeats one of the pod', () => {
      const { context } = setup();

      expect(() => microservice(context, 'products').addSidecar('proxy', { image: SHIPPER, ports: [Port.http(8080, { name: 'proxy' })], withoutProbes: 'x' }))
        .toThrow(/^catalog\/products: 'sidecars\[proxy\].ports' \('proxy'\) must not repeat a port name or number of another container of the pod \(8080\)/);
    });

    test('fails when a container\'s variable is a credential, or not a C identifier, or repeated', () => {
      const { context } = setup();
      const products = microservice(context, 'products');
      const c = products.addInitContainer('warm', { image: SHIPPER, env: { A: '1' } });

      expect(() => c.addEnv('API_TOKEN', 'x')).toThrow(/^catalog\/products: 'initContainers\[warm\].env.API_TOKEN' \('\(value not shown\)'\) reads as a credential/);
      expect(() => c.addEnv('1A', 'x')).toThrow(/^catalog\/products: 'initContainers\[warm\].env' \('1A'\) must be a C identifier/);
      expect(() => c.addEnv('A', 'x')).toThrow(/^catalog\/products: 'initContainers\[warm\].env' \('A'\) must be set once, but is set twice/);
    });

    test('fails when a container mounts two volumes at one path, or too much scratch space', () => {
      const { context } = setup();
      const c = microservice(context, 'products').addInitContainer('warm', { image: SHIPPER });
      c.addVolume(Volume.emptyDir('a', { sizeLimit: Size.mebibytes(8) }), { mountPath: '/a' });

      expect(() => c.addVolume(Volume.emptyDir('b', { sizeLimit: Size.mebibytes(8) }), { mountPath: '/a/b' }))
        .toThrow(/^catalog\/products: 'initContainers\[warm\].addVolume\(b\).mountPath' \('\/a\/b'\) must not overlap another mount of the container \('\/a'\)/);
      expect(() => c.addVolume(Volume.emptyDir('c', { sizeLimit: Size.gibibytes(1) }), { mountPath: '/c' }))
        .toThrow(/^catalog\/products: 'initContainers\[warm\].addVolume\(c\)' \('1096Mi'\) \(the container's \/tmp and emptyDir volumes on disk together\) must fit/);
    });

    test('fails when a container runs below uid 10000 without a reason, or its /tmp does not fit', () => {
      const { context } = setup();
      const products = microservice(context, 'products');

      expect(() => products.addInitContainer('warm', { image: SHIPPER, runAsUser: 1000 }))
        .toThrow(/^catalog\/products: 'initContainers\[warm\].runAsUser' \(1000\) must be a whole number between 10000 and 2147483647/);
      expect(() => products.addInitContainer('warm', { image: SHIPPER, tmpSize: Size.gibibytes(1) }))
        .toThrow(/^catalog\/products: 'initContainers\[warm\].tmpSize' \('1Gi'\) must fit in resources.ephemeralStorage.limit/);
    });
  });
});
